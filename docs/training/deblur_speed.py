"""The timings behind docs/training/deblur.md §7: one 1024×1024 forward pass per generator layout, in
contiguous (NCHW) and channels-last memory in float32 and channels-last in bfloat16 (autocast); one
training step (content loss, Adam) per layout and precision; and the tool on a 1155×866 photo with
1024- and 1536-px tiles.
Run on an idle machine, from the repository root: PYTHONPATH=. .venv/bin/python docs/training/deblur_speed.py"""

import time

import torch

from benchmarks.common import photo
from restora.nets.deblur import DeblurGenerator, GeneratorConfig
from restora.tools import TOOLS

LAYOUTS = [(40, 9), (32, 12), (32, 9), (32, 6), (24, 9), (24, 6), (24, 4), (20, 6), (16, 9), (16, 6), (16, 4)]


def median_seconds(run, repeats: int = 3) -> float:
    run()  # warm-up: oneDNN picks its kernels on the first call
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


torch.set_num_threads(2)
x = torch.rand(1, 3, 1024, 1024) * 2 - 1
print("ngf blocks parameters contiguous_s channels_last_s channels_last_bfloat16_s")
for ngf, blocks in LAYOUTS:
    net = DeblurGenerator(GeneratorConfig(ngf=ngf, n_blocks=blocks, norm="none", dropout=0.0)).eval()
    parameters = sum(p.numel() for p in net.parameters())
    with torch.inference_mode():
        plain = median_seconds(lambda: net(x))
        net = net.to(memory_format=torch.channels_last)
        x_last = x.contiguous(memory_format=torch.channels_last)
        last = median_seconds(lambda: net(x_last))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            half = median_seconds(lambda: net(x_last))
    print(ngf, blocks, parameters, round(plain, 2), round(last, 2), round(half, 2), flush=True)


def training_step(net, optimiser, batch, bfloat16: bool) -> None:
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16):
        out = net(batch)
    loss = (out.float() - batch).abs().mean()
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()


print("training step, 8×3×128×128, channels-last: ngf blocks float32_s bfloat16_s")
batch = (torch.rand(8, 3, 128, 128) * 2 - 1).contiguous(memory_format=torch.channels_last)
for ngf, blocks in ((16, 9), (32, 9)):
    seconds = []
    for bfloat16 in (False, True):
        net = DeblurGenerator(GeneratorConfig(ngf=ngf, n_blocks=blocks, norm="none", dropout=0.0))
        net = net.to(memory_format=torch.channels_last)
        optimiser = torch.optim.Adam(net.parameters(), 1e-4)
        seconds.append(median_seconds(lambda: training_step(net, optimiser, batch, bfloat16)))
    print(ngf, blocks, *(round(t, 2) for t in seconds), flush=True)

image = photo(1.0)
TOOLS["deblur"].prepare()  # in the precision the setting picks (bfloat16 on this CPU)
for tile in (1024, 1536):
    seconds = median_seconds(lambda: TOOLS["deblur"].run(image, tile=tile))
    print(f"tool, shipped weights, {image.width}×{image.height}, tile {tile}: {seconds:.2f} s", flush=True)
