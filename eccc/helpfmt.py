"""One help formatter for every ``eccc`` command: defaults shown everywhere.

Like argparse's ``ArgumentDefaultsHelpFormatter`` (an option's help ends with
its default) without "(default: None)" or "(default: False)" noise, and keeping
hand-written descriptions and epilogs as they are laid out.
"""

from __future__ import annotations

import argparse


class DefaultsFormatter(argparse.RawDescriptionHelpFormatter):
    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = action.help or ""
        default = action.default
        if ("default" in help_text.lower() or default is None or default is False
                or default is argparse.SUPPRESS or isinstance(action, argparse._HelpAction)):
            return help_text
        if not action.option_strings and action.nargs not in ("?", "*"):
            return help_text
        shown = ", ".join(map(str, default)) if isinstance(default, list | tuple) else default
        return f"{help_text} (default: {shown})" if help_text else f"(default: {shown})"
