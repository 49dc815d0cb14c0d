"""`counterfeit-game train`: the original Keras MNIST GAN script, headless and resumable.

Writes into --out: images/<step>.png (5x5 grid from a fixed noise batch at step 0, every interval
and the last step), losses.csv (one row per step, step 0 being the untrained networks measured
without learning), losses.png, generator.keras, and checkpoint.npz for --resume.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from counterfeit_game.atomic import atomic_write_text
from counterfeit_game.cli_types import positive_int
from counterfeit_game.errors import UserFacingError
from counterfeit_game.hyperparams import ARCHITECTURE_NAMES, TRAIN_PRESETS, GanConfig, preset_of

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "checkpoint.npz"
CHECKPOINT_EVERY_S = 20.0
CSV_HEADER = ("step", "d_loss", "d_acc", "g_loss", "elapsed_s")


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=positive_int, default=5000,
                        help="train until this step (default 5000)")
    parser.add_argument("--batch-size", type=positive_int, default=None,
                        help="bills per batch, real and fake each (default 32)")
    parser.add_argument("--sample-interval", type=positive_int, default=200,
                        help="save a 5x5 sample grid and log a line every N steps (default 200)")
    parser.add_argument("--out", type=Path, default=Path("counterfeit-run"),
                        help="output folder (default ./counterfeit-run)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run saved in --out")
    parser.add_argument("--preset", choices=tuple(TRAIN_PRESETS), default=None,
                        help="hyperparameters: 'original' (default) is the article's run, Adam "
                             "2e-4 for both networks; 'game' is what the game trains, the "
                             "convolutional dcgan pair at Adam 5e-3, good digits far sooner")
    parser.add_argument("--architecture", choices=ARCHITECTURE_NAMES, default=None,
                        help="network pair (default: original, or dcgan with --preset game); "
                             "--architecture dcgan without --preset keeps Adam 2e-4, the DCGAN "
                             "paper's rate")
    parser.add_argument("--no-quality", action="store_true",
                        help="skip the examiner's quality.csv")
    parser.add_argument("--tf-threads", type=positive_int, default=None, metavar="N",
                        help="threads TensorFlow may use for each operation (default: TensorFlow's choice)")


class ProgressLine:
    """A one-line progress bar with the live losses, redrawn in place on a terminal."""

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
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {step}/{self.total} "
            f"{100 * fraction:3.0f}%  D {d_loss:.3f} acc {100 * d_acc:5.1f}%  G {g_loss:.3f}  "
            f"{rate:5.1f} steps/s  ETA {int(eta // 60)}m{int(eta % 60):02d}s "
        )
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 100) + "\r")
            self.stream.flush()


def write_losses_csv(path: Path, history) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for step, d_loss, d_acc, g_loss, elapsed in history.rows():
        writer.writerow([int(step), f"{d_loss:.6f}", f"{d_acc:.6f}", f"{g_loss:.6f}", f"{elapsed:.3f}"])
    atomic_write_text(path, buffer.getvalue())


def save_generator(run, path: Path) -> None:
    """generator.keras, loadable with keras.models.load_model; written to a temp name first."""
    partial = path.with_name(".partial-" + path.name)
    run.gan.generator.save(partial)
    os.replace(partial, path)


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


class StopRequest:
    """Ctrl-C asks to stop *between* steps, so the saved checkpoint is never half a step ahead of
    its own step counter (a second Ctrl-C stops at once)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: plain KeyboardInterrupt it is
            self._previous = None
        return self

    def _handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
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


def resume_command(args, out: Path) -> str:
    """The command that continues this run, with the data it was trained on."""
    words = ["counterfeit-game", "train", "--out", str(out), "--steps", str(args.steps), "--resume"]
    if getattr(args, "data", "bundled") not in (None, "bundled"):
        words += ["--data", str(args.data)]
    return shlex.join(words)


def _run_train(args: argparse.Namespace) -> int:
    out: Path = args.out.expanduser()
    checkpoint = out / CHECKPOINT_NAME
    config = new_run_config(args)
    if args.resume and not checkpoint.exists():
        raise UserFacingError(f"{out}: nothing to resume (no {CHECKPOINT_NAME} there)")
    if not args.resume and checkpoint.exists():
        raise UserFacingError(f"{out}: already holds a run; add --resume to continue it, or choose another --out")
    from counterfeit_game.data import load_mnist

    data = load_mnist(args.data)  # before any folder is made: bad data leaves nothing behind
    try:
        (out / "images").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserFacingError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    print(f"Data: {data.describe()}", flush=True)
    from counterfeit_game import trainer

    trainer.limit_tf_threads(getattr(args, "tf_threads", None))
    from counterfeit_game.outputs import save_loss_plot, save_sample_grid
    from counterfeit_game.trainer import TrainingRun, chunk_size

    if args.resume:
        from counterfeit_game.checkpoint import read_checkpoint

        saved_meta = read_checkpoint(checkpoint).meta
        saved = GanConfig.from_dict(saved_meta.get("config", {}))
        _check_resume_settings(args, saved, checkpoint)
        if saved_meta.get("data_source") not in (None, data.source):
            print(f"Note: this run was trained on {saved_meta['data_source']}; continuing on "
                  f"{data.source}", file=sys.stderr)
        config = saved
    try:
        run = TrainingRun(config, data, max_history=10**9)
    except ValueError as exc:  # unknown architecture
        raise UserFacingError(str(exc)) from None
    if args.resume:
        run.load(checkpoint)
        print(f"Resuming at step {run.step} from {checkpoint}", flush=True)
        if run.step >= args.steps:
            print(f"Already at step {run.step} (--steps {args.steps}): nothing to do.")
            return 0
    quality = None if args.no_quality else QualityLog(out / "quality.csv", run.step if args.resume else None)

    interval = args.sample_interval
    progress = ProgressLine(args.steps)
    last_checkpoint = time.monotonic()

    def sample_point() -> None:
        frame = run.grid()
        save_sample_grid(frame.images, out / "images" / f"{run.step}.png")
        if quality is not None:
            quality.record(run)
        history = run.history.view()
        progress.clear()
        print(f"{run.step} [D loss: {history.d_loss[-1]:f}, acc.: {100 * history.d_acc[-1]:.2f}%] "
              f"[G loss: {history.g_loss[-1]:f}]", flush=True)

    def save_all() -> None:
        write_losses_csv(out / "losses.csv", run.history)
        run.save(checkpoint)

    stop = StopRequest()
    try:
        stop.__enter__()
        if not args.resume:
            sample_point()
            save_all()
        while run.step < args.steps:
            if stop.requested:
                raise KeyboardInterrupt
            out_step = run.train_chunk(chunk_size(run.step, interval, args.steps))
            progress.update(run.step, float(out_step["d_loss"]), float(out_step["d_acc"]),
                            float(out_step["g_loss"]))
            if run.step % interval == 0 or run.step == args.steps:
                sample_point()
                if time.monotonic() - last_checkpoint >= CHECKPOINT_EVERY_S or run.step == args.steps:
                    save_all()
                    last_checkpoint = time.monotonic()
    except KeyboardInterrupt:
        stop.__exit__()
        progress.clear()
        save_all()
        print(f"\nInterrupted at step {run.step}; saved. Continue with: {resume_command(args, out)}",
              file=sys.stderr)
        return 130
    finally:
        stop.__exit__()
    progress.clear()
    save_all()
    save_loss_plot(run.history.view(), out / "losses.png",
                   title=f"Counterfeiter vs police, {run.step} steps")
    save_generator(run, out / "generator.keras")
    print(f"Done: {run.step} steps in {run.elapsed:.1f} s. Wrote {out}/images/, losses.csv, "
          "losses.png, generator.keras", flush=True)
    return 0
