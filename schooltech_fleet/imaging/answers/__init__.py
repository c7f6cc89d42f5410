"""Answer files for unattended installs (Debian preseed, Ubuntu autoinstall, Windows autounattend.xml).

::

    answer = render_answer(AnswerRequest(...))
    findings = validate_answers([answer])      # [] when every file passes its format's checks
"""

from schooltech_fleet.imaging.answers.render import AnswerFormat, RenderedAnswer, render_answer
from schooltech_fleet.imaging.answers.request import AnswerRequest
from schooltech_fleet.imaging.answers.validate import validate_answers
from schooltech_fleet.imaging.finding import Finding

__all__ = ["AnswerFormat", "AnswerRequest", "Finding", "RenderedAnswer", "render_answer", "validate_answers"]
