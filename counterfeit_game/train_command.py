"""`counterfeit-game train`: the original Keras MNIST GAN script, headless and resumable.

Writes into --out: images/<step>.png (5x5 grid from a fixed noise batch at step 0, every interval
and the last step), losses.csv (one row per step, step 0 being the untrained networks measured
without learning), losses.png, quality.csv, generator.keras, and for --resume checkpoint.npz (the
training state) and settings.json (the run's own options: steps, sample interval, quality, data).

Ctrl-C, SIGTERM and SIGHUP stop between steps: the checkpoint, losses.csv and generator.keras are
saved, the command that continues the run is printed, and the exit status is 128 + the signal.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import shlex
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from counterfeit_game.atomic import atomic_write_text, fsync_folder
from counterfeit_game.cli_types import int_between, tf_threads_value
from counterfeit_game.errors import UserFacingError
from counterfeit_game.hyperparams import ARCHITECTURE_NAMES, TRAIN_PRESETS, GanConfig, preset_of

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "checkpoint.npz"
SETTINGS_NAME = "settings.json"
SETTINGS_FORMAT = "counterfeit-game-train-settings"
CHECKPOINT_EVERY_S = 20.0
CSV_HEADER = ("step", "d_loss", "d_acc", "g_loss", "elapsed_s")

DEFAULT_STEPS = 5000
DEFAULT_SAMPLE_INTERVAL = 200
# The whole loss history stays in memory (24 bytes a step) and is rewritten into losses.csv and
# checkpoint.npz (about 40 bytes a step each) every 20 s: a million steps, 33 times the article's
# 30,000, keeps those at tens of MB.
MAX_STEPS = 1_000_000
# A chunk of 8 steps draws its real bills at once (8 x batch x 3 KB): 4096 takes 100 MB per chunk,
# and time per step grows with the batch (a batch of 100,000 took 22 s a step on 2 cores); MNIST
# has 60,000 training digits, and a larger batch would only repeat them.
MAX_BATCH_SIZE = 4096


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int_between(1, MAX_STEPS, "the loss history is kept in memory"),
                        default=None,
                        help=f"train until this step, at most {MAX_STEPS:,} (default {DEFAULT_STEPS}; "
                             "a resumed run keeps its own)")
    parser.add_argument("--batch-size", type=int_between(1, MAX_BATCH_SIZE, "memory and time per step"),
                        default=None,
                        help=f"bills per batch, real and fake each, at most {MAX_BATCH_SIZE} and at "
                             "most the training digits in --data (default 32)")
    parser.add_argument("--sample-interval", type=int_between(1, MAX_STEPS, f"--steps is at most {MAX_STEPS}"),
                        default=None,
                        help=f"save a 5x5 sample grid and log a line every N steps (default "
                             f"{DEFAULT_SAMPLE_INTERVAL}; a resumed run keeps its own)")
    parser.add_argument("--out", type=Path, default=Path("counterfeit-run"),
                        help="output folder (default ./counterfeit-run)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run saved in --out, with its own settings (settings.json)")
    parser.add_argument("--preset", choices=tuple(TRAIN_PRESETS), default=None,
                        help="hyperparameters: 'original' (default) is the article's run, Adam "
                             "2e-4 for both networks; 'game' is what the game trains, the "
                             "convolutional dcgan pair at Adam 5e-3, good digits far sooner")
    parser.add_argument("--architecture", choices=ARCHITECTURE_NAMES, default=None,
                        help="network pair (default: original, or dcgan with --preset game); "
                             "--architecture dcgan without --preset keeps Adam 2e-4, the DCGAN "
                             "paper's rate")
    parser.add_argument("--quality", action=argparse.BooleanOptionalAction, default=None,
                        help="write the examiner's quality.csv at every sample (default: on; "
                             "--no-quality skips it; a resumed run keeps its own choice)")
    parser.add_argument("--tf-threads", type=tf_threads_value, default=None, metavar="N",
                        help="threads TensorFlow may use for each operation, 1 to 256 (default: "
                             "TensorFlow's choice)")


@dataclass(frozen=True)
class RunSettings:
    """The options a run keeps across --resume unless they are given again (settings.json)."""

    steps: int = DEFAULT_STEPS
    sample_interval: int = DEFAULT_SAMPLE_INTERVAL
    quality: bool = True
    data: str = "bundled"


def _valid_setting(name: str, value) -> bool:
    if name in ("steps", "sample_interval"):
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_STEPS
    if name == "quality":
        return isinstance(value, bool)
    return isinstance(value, str) and value != ""


def read_settings(path: Path) -> dict:
    """The saved settings of a run ({} for a run saved before settings.json existed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UserFacingError(f"{path}: cannot read the run's settings ({exc.strerror or exc})") from None
    try:
        saved = json.loads(text)
    except ValueError:
        saved = None
    if not isinstance(saved, dict) or saved.get("format") != SETTINGS_FORMAT:
        raise UserFacingError(f"{path}: damaged run settings (not a counterfeit-game settings file); "
                              "delete it to resume with the default settings")
    known = {name: saved[name] for name in RunSettings.__dataclass_fields__ if name in saved}
    for name, value in known.items():
        if not _valid_setting(name, value):
            raise UserFacingError(f"{path}: damaged run settings ({name} is {value!r}); delete it "
                                  "to resume with the default settings")
    return known


def write_settings(path: Path, settings: RunSettings) -> None:
    atomic_write_text(path, json.dumps({"format": SETTINGS_FORMAT, "version": 1, **asdict(settings)},
                                       indent=2) + "\n")


def _stored_data(source) -> str:
    """--data as it is kept in settings.json: the two names as they are, a path made absolute."""
    if source is None or str(source) in ("bundled", "keras"):
        return "bundled" if source is None else str(source)
    return str(Path(source).expanduser().absolute())


def resolve_settings(args, saved: dict) -> RunSettings:
    """What was given on this command line, else what the run saved, else the defaults."""
    given = {"steps": args.steps, "sample_interval": args.sample_interval,
             "quality": getattr(args, "quality", None),
             "data": None if getattr(args, "data", None) is None else _stored_data(args.data)}
    return RunSettings(**{**asdict(RunSettings()), **saved,
                          **{name: value for name, value in given.items() if value is not None}})


class ProgressLine:
    """A one-line progress bar with the live losses, redrawn in place on a terminal (and silently
    dropped if the terminal goes away: the run matters more than its progress bar)."""

    def __init__(self, total: int, stream=None, width: int = 24, interval: float = 0.2):
        stream = sys.stderr if stream is None else stream
        self.total, self.stream, self.width, self.interval = total, stream, width, interval
        self.enabled = hasattr(stream, "isatty") and stream.isatty()
        self._last = 0.0
        self._started = time.perf_counter()
        self._start_step: int | None = None

    def update(self, step: int, d_loss: float, d_acc: float, g_loss: float, force=False) -> None:
        if self._start_step is None:
            self._start_step = step
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last < self.interval):
            return
        self._last = now
        rate = (step - self._start_step) / max(1e-9, now - self._started)
        fraction = step / max(1, self.total)
        filled = int(self.width * fraction)
        eta = (self.total - step) / rate if rate > 0 else 0.0
        self._write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {step}/{self.total} "
            f"{100 * fraction:3.0f}%  D {d_loss:.3f} acc {100 * d_acc:5.1f}%  G {g_loss:.3f}  "
            f"{rate:5.1f} steps/s  ETA {int(eta // 60)}m{int(eta % 60):02d}s "
        )

    def clear(self) -> None:
        if self.enabled:
            self._write("\r" + " " * (self.width + 100) + "\r")

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal (SIGHUP) or stream
            self.enabled = False


def write_losses_csv(path: Path, history) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for step, d_loss, d_acc, g_loss, elapsed in history.rows():
        writer.writerow([int(step), f"{d_loss:.6f}", f"{d_acc:.6f}", f"{g_loss:.6f}", f"{elapsed:.3f}"])
    atomic_write_text(path, buffer.getvalue())


def save_generator(run, path: Path) -> None:
    """generator.keras, loadable with keras.models.load_model; written atomically: Keras writes a
    temporary name (it must end in .keras, so not atomic.py's), which is fsynced and renamed."""
    partial = path.with_name(".partial-" + path.name)
    try:
        run.gan.generator.save(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        try:
            partial.unlink()
        except OSError:
            pass
        raise
    fsync_folder(path.parent)


class QualityLog:
    """DIR/quality.csv: the examiner's verdict at every sample interval (when the examiner exists)."""

    HEADER = ("step", "fed", "score", "confidence", "coverage", "histogram")

    def __init__(self, path: Path, resume_step: int | None):
        self.path = path
        self.examiner = None
        try:
            from counterfeit_game.quality import Examiner

            self.examiner = Examiner.load_bundled()
        except Exception as exc:
            log.warning("quality.csv skipped: %s", exc)
            return
        if resume_step is None or not path.exists():
            atomic_write_text(path, ",".join(self.HEADER) + "\n")
        else:  # drop rows past the checkpoint, which the resumed run will write again
            kept = [line for line in path.read_text().splitlines()[1:]
                    if line and line.split(",")[0].isdigit() and int(line.split(",")[0]) <= resume_step]
            atomic_write_text(path, "\n".join([",".join(self.HEADER), *kept]) + "\n")

    def record(self, run) -> None:
        if self.examiner is None:
            return
        from counterfeit_game.quality import RECOMMENDED_N

        # seed 0: the same counterfeits `counterfeit-game evaluate` examines by default
        report = self.examiner.report(run.generator_images(RECOMMENDED_N, seed=0), run.step)
        histogram = " ".join(str(int(count)) for count in report.histogram)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{run.step},{report.fed:.4f},{report.score:.2f},{report.confidence:.4f},"
                         f"{report.coverage},{histogram}\n")
            handle.flush()
            os.fsync(handle.fileno())


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class StopRequest:
    """Ctrl-C, SIGTERM (``kill``, a shutting-down machine or job scheduler) and SIGHUP (the terminal
    closed) ask to stop *between* steps, so the saved checkpoint is never half a step ahead of its
    own step counter (a second signal stops at once)."""

    def __init__(self):
        self.signum: int | None = None
        self._previous: dict = {}

    @property
    def requested(self) -> bool:
        return self.signum is not None

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return 128 + int(self.signum if self.signum is not None else signal.SIGINT)

    def __enter__(self):
        for signum in STOP_SIGNALS:
            try:
                self._previous[signum] = signal.signal(signum, self._handle)
            except (ValueError, OSError):  # not the main thread: plain KeyboardInterrupt it is
                pass
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.signum = signum

    def __exit__(self, *exc):
        for signum, previous in self._previous.items():
            if previous is not None:
                signal.signal(signum, previous)
        self._previous.clear()
        return False


def run_train(args: argparse.Namespace) -> int:
    try:
        return _run_train(args)
    except OSError as exc:  # disk full, folder vanished, permissions changed mid-run
        where = exc.filename or args.out
        raise UserFacingError(f"{where}: could not write ({exc.strerror or exc})") from None


def _describe_preset(config: GanConfig) -> str:
    rates = f"Adam {config.d_learning_rate:g}/{config.g_learning_rate:g}"
    name = preset_of(config)
    return f"--preset {name} ({rates})" if name else f"custom settings ({rates})"


def _check_resume_settings(args, saved, checkpoint: Path) -> None:
    """A resumed run keeps its own settings; asking for others would silently mix two runs."""
    asked_preset = getattr(args, "preset", None)
    if asked_preset is not None and preset_of(saved) != asked_preset:
        raise UserFacingError(
            f"{checkpoint}: this run was started with {_describe_preset(saved)}; resume it "
            f"without --preset {asked_preset}, or start a new run in another --out"
        )
    for option, asked, kept in (("--batch-size", args.batch_size, saved.batch_size),
                                ("--seed", args.seed, saved.seed),
                                ("--architecture", args.architecture, saved.architecture)):
        if asked is not None and asked != kept:
            raise UserFacingError(
                f"{checkpoint}: this run was started with {option} {kept}; resume it without "
                f"{option} {asked}, or start a new run in another --out"
            )


def new_run_config(args) -> GanConfig:
    """--preset's hyperparameters with --architecture, --batch-size and --seed on top."""
    preset = getattr(args, "preset", None) or "original"
    base = TRAIN_PRESETS[preset]
    architecture = args.architecture or base.architecture
    if preset == "game" and architecture != base.architecture:
        raise UserFacingError(
            f"--preset game trains the {base.architecture} pair (its learning rate would make the "
            f"{architecture} pair collapse); drop --architecture {architecture}, or use "
            f"--preset original --architecture {architecture}"
        )
    return GanConfig.from_dict({**base.as_dict(), "architecture": architecture,
                                "batch_size": args.batch_size or base.batch_size,
                                "seed": 0 if args.seed is None else args.seed})


def program_words(argv0: str | None = None) -> list[str]:
    """How this program was started, as words that start it again from the same folder: the bare
    name when PATH finds the same file, else the path as typed (`.venv/bin/counterfeit-game`),
    `PYTHON -m counterfeit_game` for `python -m counterfeit_game`."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    if not argv0:
        return ["counterfeit-game"]
    path = Path(argv0)
    package = Path(__file__).resolve().parent
    if path.name == "__main__.py" and path.resolve().parent == package:
        return [sys.executable or "python3", "-m", "counterfeit_game"]
    if not path.name.startswith("counterfeit-game"):  # e.g. a test runner calling cli.main
        return ["counterfeit-game"]
    if os.sep not in argv0 and (os.altsep is None or os.altsep not in argv0):
        return [argv0]  # found on PATH when it was typed
    found = shutil.which(path.name)
    try:
        if found and os.path.samefile(found, argv0):
            return [path.name]
    except OSError:
        pass
    return [argv0]


def resume_command(args, out: Path, settings: RunSettings | None = None,
                   program: list[str] | None = None) -> str:
    """The command that continues this run, runnable as printed: this program as it was started,
    the target step and the data it was trained on (settings.json keeps the rest)."""
    steps = settings.steps if settings is not None else (args.steps or DEFAULT_STEPS)
    words = [*(program or program_words()), "train", "--out", str(out), "--steps", str(steps), "--resume"]
    data = getattr(args, "data", None)
    if data in (None, "bundled") and settings is not None:
        data = settings.data
    if data not in (None, "bundled"):
        words += ["--data", str(data)]
    if getattr(args, "tf_threads", None):
        words += ["--tf-threads", str(args.tf_threads)]
    return shlex.join(words)


def check_batch_fits(config: GanConfig, data, resumed_from: Path | None = None) -> None:
    """A batch larger than the training set would only repeat digits, and past MAX_BATCH_SIZE costs
    memory and time for nothing (checked on resume too: the data may be smaller, a checkpoint
    edited)."""
    size, batch = len(data.x_train), config.batch_size
    what = f"{resumed_from}: this run's batch size {batch}" if resumed_from else f"--batch-size {batch}"
    if batch > MAX_BATCH_SIZE:
        raise UserFacingError(f"{what}: train takes batches of at most {MAX_BATCH_SIZE} bills")
    if batch > size:
        fix = (f"resume it with --data of at least {batch} training digits" if resumed_from
               else f"choose a batch of at most {size}")
        raise UserFacingError(f"{what}: {data.source} has only {size:,} training digits; {fix}")


def _run_train(args: argparse.Namespace) -> int:
    out: Path = args.out.expanduser()
    checkpoint = out / CHECKPOINT_NAME
    settings_path = out / SETTINGS_NAME
    config = new_run_config(args)
    if args.resume and not checkpoint.exists():
        raise UserFacingError(f"{out}: nothing to resume (no {CHECKPOINT_NAME} there)")
    if not args.resume and checkpoint.exists():
        raise UserFacingError(f"{out}: already holds a run; add --resume to continue it, or choose another --out")
    saved_meta: dict = {}
    if args.resume:
        from counterfeit_game.checkpoint import read_checkpoint

        saved_meta = read_checkpoint(checkpoint).meta
        saved = GanConfig.from_dict(saved_meta.get("config", {}))
        _check_resume_settings(args, saved, checkpoint)
        config = saved
    settings = resolve_settings(args, read_settings(settings_path) if args.resume else {})
    from counterfeit_game.data import load_mnist

    data = load_mnist(settings.data)  # before any folder is made: bad data leaves nothing behind
    check_batch_fits(config, data, checkpoint if args.resume else None)
    try:
        (out / "images").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    print(f"Data: {data.describe()}", flush=True)
    if saved_meta.get("data_source") not in (None, data.source):
        print(f"Note: this run was trained on {saved_meta['data_source']}; continuing on "
              f"{data.source}", file=sys.stderr)
    from counterfeit_game import trainer

    trainer.limit_tf_threads(getattr(args, "tf_threads", None))
    from counterfeit_game.outputs import save_loss_plot, save_sample_grid
    from counterfeit_game.trainer import TrainingRun, chunk_size

    try:
        run = TrainingRun(config, data, max_history=10**9)
    except ValueError as exc:  # unknown architecture
        raise UserFacingError(str(exc)) from None
    steps = settings.steps
    if args.resume:
        run.load(checkpoint)
        print(f"Resuming at step {run.step} from {checkpoint}", flush=True)
        if run.step >= steps:
            print(f"Already at step {run.step} (--steps {steps}): nothing to do.")
            return 0
    write_settings(settings_path, settings)
    quality = QualityLog(out / "quality.csv", run.step if args.resume else None) if settings.quality else None

    interval = settings.sample_interval
    progress = ProgressLine(steps)
    last_checkpoint = time.monotonic()
    stop = StopRequest()

    def say(text: str, stream=None) -> None:
        """A line for the person watching; once a stop is asked for (SIGHUP: the terminal may be
        gone) a line that cannot be written is skipped rather than lose the run's last save."""
        stream = stream or sys.stdout
        try:
            print(text, file=stream, flush=True)
        except OSError:
            if not stop.requested:
                raise
            for name in ("stdout", "stderr"):  # and stop trying (also at exit) on a dead terminal
                if getattr(sys, name) is stream:
                    setattr(sys, name, open(os.devnull, "w"))

    def sample_point() -> None:
        frame = run.grid()
        save_sample_grid(frame.images, out / "images" / f"{run.step}.png")
        if quality is not None:
            quality.record(run)
        history = run.history.view()
        progress.clear()
        say(f"{run.step} [D loss: {history.d_loss[-1]:f}, acc.: {100 * history.d_acc[-1]:.2f}%] "
            f"[G loss: {history.g_loss[-1]:f}]")

    def save_all() -> None:
        write_losses_csv(out / "losses.csv", run.history)
        run.save(checkpoint)

    try:
        stop.__enter__()
        if not args.resume:
            sample_point()
            save_all()
        while run.step < steps:
            if stop.requested:
                raise KeyboardInterrupt
            out_step = run.train_chunk(chunk_size(run.step, interval, steps))
            progress.update(run.step, float(out_step["d_loss"]), float(out_step["d_acc"]),
                            float(out_step["g_loss"]))
            if run.step % interval == 0 or run.step == steps:
                sample_point()
                if time.monotonic() - last_checkpoint >= CHECKPOINT_EVERY_S or run.step == steps:
                    save_all()
                    last_checkpoint = time.monotonic()
    except KeyboardInterrupt:
        stop.__exit__()
        progress.clear()
        save_all()
        save_generator(run, out / "generator.keras")  # so `evaluate` can examine a stopped run
        by = "" if stop.signum in (None, signal.SIGINT) else f" by {signal.Signals(stop.signum).name}"
        say(f"\nInterrupted{by} at step {run.step}; saved {CHECKPOINT_NAME}, losses.csv and "
            f"generator.keras in {out}. Continue with: {resume_command(args, out, settings)}",
            sys.stderr)
        return stop.exit_code
    finally:
        stop.__exit__()
    progress.clear()
    save_all()
    save_loss_plot(run.history.view(), out / "losses.png",
                   title=f"Counterfeiter vs police, {run.step} steps")
    save_generator(run, out / "generator.keras")
    written = ["images/", "losses.csv", "losses.png"]
    if quality is not None and quality.examiner is not None:
        written.append("quality.csv")
    written += ["generator.keras", CHECKPOINT_NAME, SETTINGS_NAME]
    print(f"Done: {run.step} steps in {run.elapsed:.1f} s. Wrote into {out}: {', '.join(written)}",
          flush=True)
    return 0
