"""The desktop window (``restora gui``): PySide6 widgets over the tool registry.

Nothing here names a tool: the tool list, each tool's form, its texts and its weights come from
``restora.tools.TOOLS``, so a tool registered later (a built-in or an installed package) appears with no
GUI code. PySide6 is imported only by these modules, never by the other commands.
"""
