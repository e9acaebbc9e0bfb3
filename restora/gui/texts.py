"""The window's own words, and a tool's texts, in the user's language.

Tool texts go through :func:`restora.i18n.translate` (the one catalogue, plus a third-party tool's own
``translations``). The window's own words are marked with ``N_`` so ``pybabel extract -k N_`` can carry
them into that catalogue; until it holds them, :data:`ZH` supplies the Chinese here.
"""

from __future__ import annotations

from restora.i18n import N_, translate

ZH = {
    N_("&File"): "文件(&F)", N_("&Open photos…"): "打开照片(&O)…", N_("Open a &folder as a batch…"): "批量处理文件夹(&F)…",
    N_("Open &recent"): "最近打开(&R)", N_("&Save"): "保存(&S)", N_("Save &as…"): "另存为(&A)…",
    N_("&Copy the result"): "复制结果(&C)", N_("&Quit"): "退出(&Q)", N_("&Edit"): "编辑(&E)",
    N_("&Undo the last result"): "撤销上一步结果(&U)", N_("&View"): "视图(&V)", N_("&Fit"): "适合窗口(&F)",
    N_("&100 %"): "&100 %", N_("&Side by side"): "并排(&S)", N_("Show the &mask"): "显示蒙版(&M)",
    N_("Se&ttings…"): "设置(&T)…", N_("Photos"): "照片", N_("Tool"): "工具", N_("Run"): "运行",
    N_("Cancel"): "取消", N_("Advanced"): "高级", N_("Choose…"): "选择…", N_("Clear"): "清除",
    N_("Paint on the photo"): "在照片上涂画", N_("Drag a box on the photo"): "在照片上拖出方框",
    N_("Brush"): "画笔", N_("Custom colour…"): "自定义颜色…", N_("White"): "白色", N_("Red"): "红色",
    N_("Blue"): "蓝色", N_("Green"): "绿色", N_("No file"): "未选择文件", N_("About {} left"): "大约剩余 {}",
    N_("Working…"): "处理中…", N_("Done in {}"): "完成，用时 {}", N_("Cancelled"): "已取消",
    N_("Open photos"): "打开照片", N_("Images (*.jpg *.jpeg *.png *.webp)"): "图片 (*.jpg *.jpeg *.png *.webp)",
    N_("Save the result"): "保存结果", N_("Format"): "格式", N_("Quality"): "质量",
    N_("This photo cannot be opened"): "无法打开这张照片", N_("The tool cannot run"): "工具无法运行",
    N_("Weights are missing"): "缺少模型权重", N_("The tool failed"): "工具出错",
    N_("Saving failed"): "保存失败", N_("Open a photo first."): "请先打开一张照片。",
    N_("Not enough memory for this photo; try a smaller photo or close other programs."):
        "内存不足，无法处理这张照片；请换一张较小的照片或关闭其他程序。",
    N_("Your opened photos are kept."): "已打开的照片都保留着。",
    N_("Batch"): "批量处理", N_("Input folder"): "输入文件夹", N_("Output folder"): "输出文件夹",
    N_("Start"): "开始", N_("Close"): "关闭", N_("waiting"): "等待中", N_("running"): "处理中",
    N_("done"): "完成", N_("failed: {}"): "失败：{}", N_("{} of {} done, {} failed"): "已完成 {} / {}，失败 {}",
    N_("Settings"): "设置", N_("Threads (0: automatic)"): "线程数（0：自动）", N_("Precision"): "精度",
    N_("Models folder"): "模型文件夹", N_("Language"): "语言", N_("Before"): "处理前", N_("After"): "处理后",
    N_("Drop photos here or use File ▸ Open."): "把照片拖到这里，或使用 文件 ▸ 打开。",
    N_("Copied to the clipboard."): "已复制到剪贴板。", N_("Saved {}"): "已保存 {}",
    N_("Choose a folder of photos first."): "请先选择一个照片文件夹。",
    N_("The output folder must differ from the input folder."): "输出文件夹必须和输入文件夹不同。",
    N_("No JPEG, PNG or WebP files in this folder."): "这个文件夹里没有 JPEG、PNG 或 WebP 文件。",
    N_("Back to the input: {}"): "已回到输入：{}",
    N_("The server cannot be reached"): "无法连接服务器", N_("The server refused the token"): "服务器拒绝了这个令牌",
    N_("The server is busy"): "服务器正忙", N_("Connect to a server"): "连接服务器",
    N_("A personal access token for {} (account settings on the site):"): "{} 的个人访问令牌（在网站的账户设置中创建）：",
    N_("Keep"): "保留", N_("Remove"): "去除",
    N_("The photo is too large for the server"): "照片超出服务器的上传限制",
    N_("This server takes uploads of up to {0} (its max_upload_bytes); the photo needs {1} even as {2}, with the "
       "tool's other pictures. Nothing was sent. Make the photo smaller (fewer pixels), or ask the server's owner "
       "for a higher limit."):
        "这台服务器的上传上限为 {0}（其 max_upload_bytes）；这张照片连同工具的其他图片，即使作为{2}，也需要 {1}。"
        "没有发送任何内容。请缩小照片（减少像素），或请服务器管理员提高上限。",
    N_("the file it was opened from"): "打开时的原文件", N_("a PNG"): "PNG", N_("a JPEG at quality 95"): "质量 95 的 JPEG",
    N_("The photo was sent compressed (JPEG, quality {}): as a PNG it is over the server's upload limit of {}."):
        "照片已压缩后发送（JPEG，质量 {}）：PNG 格式超出服务器 {} 的上传限制。",
}


def text(words: str, language: str, tool=None) -> str:
    """``words`` in ``language``: a tool's text through the catalogue (and the tool's own translations),
    the window's own through :data:`ZH` when the catalogue has none."""
    if language == "en" or not words:
        return words
    extra = dict(getattr(tool, "translations", {}).get(language, {})) if tool is not None else {}
    if language == "zh":
        extra = {**ZH, **extra}
    return translate(words, language, extra)


def duration(seconds: float) -> str:
    """'42 s', '3 min 05 s': short enough for a status line."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s"
