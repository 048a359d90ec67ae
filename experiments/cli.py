"""The ``ccsim`` command line: one Typer sub-app per command group.

Every user error ends the same way: one line on stderr saying what is wrong and what is
valid, exit code 2, no traceback. That is done once, here, by the root group's ``main``,
for Typer's own usage errors and for the :class:`sim.errors.InputError` raised anywhere.
A run that cannot go on (a full disk) ends in one line and exit code 1; Ctrl-C ends in
one line saying what was kept and how to resume, exit code 130.

Start-up is kept instant: the command modules import only Typer at module level, and
load the simulation, pandas, SciPy and matplotlib inside the commands that use them
(a test checks which modules ``ccsim --help`` imports).
"""

from __future__ import annotations

import sys

import typer
from typer.core import TyperGroup

from experiments.errors import Interrupted, RunError
from sim.errors import InputError


def _click_modules() -> list:
    """Click's exception modules: Typer >= 0.20 vendors its own copy of Click, older
    Typer uses Click itself (and Click may be installed anyway, e.g. by Dask)."""
    modules = []
    try:
        from typer._click import exceptions as vendored

        modules.append(vendored)
    except ImportError:  # older Typer
        pass
    try:
        import click

        modules.append(click.exceptions)
    except ImportError:  # newer Typer without Click installed
        pass
    return modules


def _names(attribute: str) -> tuple[type, ...]:
    return tuple(getattr(m, attribute) for m in _MODULES if hasattr(m, attribute))


_MODULES = _click_modules()
USAGE_ERRORS = _names("UsageError")
CLICK_ERRORS = _names("ClickException")
# Typer defines its own Abort and Exit (older ones re-export Click's).
ABORTS = (*_names("Abort"), typer.Abort, KeyboardInterrupt)
EXITS = (*_names("Exit"), typer.Exit)


def _say(line: str) -> None:
    """One line on stderr."""
    print(line, file=sys.stderr)


def _one_line(text: str) -> str:
    """A message on one line, whatever a file or a value put in it."""
    return " ".join(text.split())


class FriendlyGroup(TyperGroup):
    """The root command group: turns usage and input errors into one line and exit 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(
                args=args,
                prog_name="ccsim",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except USAGE_ERRORS as err:
            if type(err).__name__ == "NoArgsIsHelpError":
                sys.exit(0)  # the help has been printed
            where = f"{err.ctx.command_path}: " if getattr(err, "ctx", None) else "ccsim: "
            message = " ".join(err.format_message().split())
            _say(f"{where}error: {message} (see --help)")
            sys.exit(2)
        except InputError as err:
            _say(f"ccsim: error: {_one_line(str(err))}")
            sys.exit(2)
        except RunError as err:
            _say(f"ccsim: error: {_one_line(str(err))}")
            sys.exit(1)
        except Interrupted as err:
            _say(f"ccsim: {err}")
            sys.exit(130)
        except CLICK_ERRORS as err:
            _say(f"ccsim: error: {err.format_message()}")
            sys.exit(err.exit_code)
        except EXITS as err:
            sys.exit(getattr(err, "exit_code", 0))
        except ABORTS:
            _say("ccsim: interrupted")
            sys.exit(130)
        if code == 130:  # Typer's answer to Ctrl-C outside a run
            _say("ccsim: interrupted")
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=FriendlyGroup,
    help="ccsim: an agent-based contact-center simulator for evaluating service policies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from experiments.results import ccsim_version

        print(f"ccsim {ccsim_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print ccsim's version and exit."
    ),
) -> None:
    """ccsim: an agent-based contact-center simulator for evaluating service policies."""


def _register() -> None:
    from experiments.commands import (
        calibrate,
        compare,
        dashboard,
        erlang,
        fit,
        frontier,
        params,
        plot,
        policies,
        report,
        run,
        sensitivity,
        staff,
        sweep,
        validate,
    )

    for module in (
        compare, run, sweep, sensitivity, frontier, staff, plot, report, erlang, params, fit,
        calibrate, validate, dashboard,
    ):  # fmt: skip
        app.add_typer(module.app)
    for module in (policies,):
        app.add_typer(module.app, name=module.NAME)


_register()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
