"""Progress of an optimization such as `render_vis`: an image and a status line updated in place in a notebook,
a one-line progress bar in a terminal.

    reporter = RenderProgress(total_steps, verbose=True, show_image=True)
    for step in range(total_steps):
        ...
        reporter.update(step, loss, image=batch_or_None)   # steps are 0-based
    reporter.close()                                        # also after an interruption

It is also a context manager that closes itself.
"""

import logging
import numbers
import sys
import tempfile
import time

import IPython.display

from lucid.misc import environment
from lucid.misc.io import showing
from lucid.misc.io.saving import save

__all__ = [
    "BAR_WIDTH",
    "RenderProgress",
]

log = logging.getLogger(__name__)

BAR_WIDTH = 20


def _format_duration(seconds):
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return "%d:%02d:%02d" % (hours, minutes, seconds) if hours else "%d:%02d" % (minutes, seconds)


class RenderProgress:
    """Report the progress of `total_steps` optimization steps, in a notebook or in a terminal (decided at
    construction by whether a notebook kernel runs).

    Notebook: one display for the image, replaced in place by each `update` that brings an image (when
    `show_image`), and one status line (step/total, loss, steps/s, ETA) updated in place (when `verbose`),
    at most every `min_interval` seconds except when an image comes or at `close`. Nothing is printed.

    Terminal: when `verbose`, a progress bar on stderr redrawn with "\\r" at most every `min_interval`
    seconds and ended with a newline by `close`; each update with an image prints "step loss" to stdout, as
    upstream Lucid's render_vis does. When `show_image`, the image is written to one temporary PNG, replaced
    at each image update; its path is printed once.

    `clock` (seconds, monotonic) can be replaced for tests.
    """

    def __init__(self, total_steps, verbose=True, show_image=True, min_interval=0.2, clock=time.monotonic):
        if isinstance(total_steps, bool) or not isinstance(total_steps, numbers.Integral) or total_steps < 1:
            raise ValueError("total_steps must be a positive int, got %r." % (total_steps,))
        self.total_steps = int(total_steps)
        self.verbose = verbose
        self.show_image = show_image
        self.min_interval = min_interval
        self._clock = clock
        self._notebook = environment.is_notebook_environment()
        self._start = clock()
        self._last_draw = None
        self._done = 0
        self._loss = None
        self._closed = False
        self._text_handle = None
        self._image_handle = None
        self._bar_length = 0  # characters of the bar now on the terminal line (0: none)
        self._png_path = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def update(self, step, loss, image=None):
        """Record that step `step` (0-based) finished with `loss`; `image` ([B, H, W, C] or one image) if any."""
        if self._closed:
            raise RuntimeError("RenderProgress.update called after close().")
        self._done, self._loss = step + 1, loss
        throttled = self._last_draw is not None and self._clock() - self._last_draw < self.min_interval
        if self._notebook:
            self._update_notebook(image, force=image is not None or not throttled)
        elif image is not None:
            self._terminal_snapshot(step, loss, image)
        elif self.verbose and not throttled:
            self._draw_bar()

    def close(self):
        """Show the final status (a terminal gets its newline). Calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        if not self.verbose or self._done == 0:
            return
        if self._notebook:
            self._update_notebook(None, force=True)
        else:
            self._draw_bar()
            sys.stderr.write("\n")
            sys.stderr.flush()

    def status(self):
        """The status line: bar, steps done/total, loss, steps per second, and ETA (elapsed time once closed)."""
        elapsed = self._clock() - self._start
        filled = BAR_WIDTH * self._done // self.total_steps
        parts = ["[%s%s] %d/%d" % ("#" * filled, "." * (BAR_WIDTH - filled), self._done, self.total_steps)]
        parts.append("loss -" if self._loss is None else "loss %.4g" % float(self._loss))
        rate = self._done / elapsed if elapsed > 0 else None
        parts.append("- steps/s" if rate is None else "%.1f steps/s" % rate)
        if self._closed:
            parts.append("took %s" % _format_duration(elapsed))
        elif rate:
            parts.append("ETA %s" % _format_duration((self.total_steps - self._done) / rate))
        return "  ".join(parts)

    def _update_notebook(self, image, force):
        if self.verbose and force:
            self._text_handle = self._display(self._text_handle, IPython.display.Pretty(self.status()))
            self._last_draw = self._clock()
        if self.show_image and image is not None:
            html_img = showing._image_html(showing.as_image(image), domain=(0, 1))
            self._image_handle = self._display(self._image_handle, IPython.display.HTML(html_img))

    @staticmethod
    def _display(handle, obj):
        """Show `obj` in the display behind `handle`, making the display on first use; returns the handle."""
        if handle is None:
            return IPython.display.display(obj, display_id=True)
        handle.update(obj)
        return handle

    def _draw_bar(self):
        line = self.status()
        sys.stderr.write("\r" + line + " " * max(0, self._bar_length - len(line)))
        sys.stderr.flush()
        self._bar_length = len(line)
        self._last_draw = self._clock()

    def _clear_bar(self):
        if self._bar_length:
            sys.stderr.write("\r" + " " * self._bar_length + "\r")
            sys.stderr.flush()
            self._bar_length = 0

    def _terminal_snapshot(self, step, loss, image):
        """At an image update: the upstream "step loss" line and the image file. The bar is cleared first, so
        these lines (and whatever the caller prints next) start on a clean line; the next update redraws it."""
        self._clear_bar()
        if self.verbose:
            print(step, loss, flush=True)
        if not self.show_image:
            return
        first = self._png_path is None
        try:
            if first:
                handle = tempfile.NamedTemporaryFile(prefix="lucid_render_", suffix=".png", delete=False)
                handle.close()
                self._png_path = handle.name
            save(showing.as_image(image), self._png_path, domain=(0, 1))
        except OSError as error:
            log.warning("Could not write the image to a temporary file (%s); it is not shown.", error)
            self.show_image = False
            return
        if first:
            print("[lucid] image (updated at each snapshot) saved to %s" % self._png_path, flush=True)
