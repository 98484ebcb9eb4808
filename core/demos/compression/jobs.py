"""What the page's Train buttons run, and the lecture warm-up with them: each a :class:`core.training.Job`.

Every job finds the trained model in the page's own store (the job before it trained it), so a button
lists the teacher's job first and then its own; a job already done is not run again.
"""

from __future__ import annotations

from core.demos.compression import distil, measure, prune, quantise
from core.demos.compression.teacher import SLUG, TeacherConfig, teacher_from
from core.demos.compression.teacher import jobs as teacher_jobs
from core.training import Job

PRESET_AMOUNT = 0.9  # tab 2's fine-tuning preset: 90 % of the weights, the share Han et al. reach on AlexNet


def bits_key(config: TeacherConfig) -> tuple:
    return (SLUG, "bits", config)


def bits_jobs(config: TeacherConfig) -> list[Job]:
    """The trained model, then its accuracy and size at every number of bits (:func:`quantise.sweep`)."""

    def run(store, on_progress=None):
        teacher = teacher_from(store, config)
        return quantise.sweep(teacher.model, teacher.test)

    return [*teacher_jobs(config), Job(bits_key(config), "accuracy at 1-32 bits", run)]


def pruning_key(config: TeacherConfig) -> tuple:
    return (SLUG, "pruning", config)


def pruning_jobs(config: TeacherConfig) -> list[Job]:
    """The trained model, then its accuracy at every share of weights removed (:func:`prune.sweep`)."""

    def run(store, on_progress=None):
        teacher = teacher_from(store, config)
        return prune.sweep(teacher.model, teacher.test)

    return [*teacher_jobs(config), Job(pruning_key(config), "accuracy at 0-99 % of weights removed", run)]


def fine_tune_key(config: TeacherConfig, amount: float, scope: str) -> tuple:
    return (SLUG, "fine_tune", config, round(amount, 2), scope)


def fine_tune_jobs(config: TeacherConfig, amount: float, scope: str) -> list[Job]:
    """The trained model, then a copy pruned by ``amount`` and trained one more epoch (:func:`prune.fine_tune`)."""

    def run(store, on_progress=None):
        teacher = teacher_from(store, config)
        return prune.fine_tune(
            teacher.model, teacher.train, teacher.test, amount, scope, seed=config.seed, on_progress=on_progress
        )

    label = f"one epoch of fine-tuning after pruning {amount:.0%} ({scope})"
    return [*teacher_jobs(config), Job(fine_tune_key(config, amount, scope), label, run)]


def student_jobs(config: TeacherConfig, temperature: float) -> list[Job]:
    """The trained model, then the hard-label and the soft-label student (same seed, same epochs)."""
    todo = teacher_jobs(config)
    for soft in (False, True):
        student = distil.StudentConfig(soft=soft, temperature=temperature, seed=config.seed)

        def run(store, on_progress=None, student=student):
            return distil.train_student(teacher_from(store, config), student, on_progress)

        todo.append(Job(distil.run_key(config, student), student.describe(), run))
    return todo


def compare_key(config: TeacherConfig, temperature: float) -> tuple:
    return (SLUG, "compare", config, float(temperature))


def compare_jobs(config: TeacherConfig, temperature: float = 4.0) -> list[Job]:
    """Both students (and the model), then every variant measured on the same test images."""
    students = student_jobs(config, temperature)

    def run(store, on_progress=None):
        hard, soft = (store.get_or_run(job.key, lambda job=job: job.run(store, None)) for job in students[1:])
        return measure.compare(teacher_from(store, config), hard, soft, temperature)

    return [*students, Job(compare_key(config, temperature), "size, latency and energy of every variant", run)]


def warm_up_jobs(seed: int = 0) -> list[Job]:
    """Every preset of the page for ``seed``, each job once, in the order of the tabs."""
    config = TeacherConfig(seed=seed)
    every = [
        *bits_jobs(config),
        *pruning_jobs(config),
        *fine_tune_jobs(config, PRESET_AMOUNT, "global"),
        *compare_jobs(config, distil.StudentConfig().temperature),
    ]
    seen: set = set()
    return [job for job in every if not (job.key in seen or seen.add(job.key))]  # each key once, first kept
