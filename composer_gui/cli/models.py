"""``composer-gui models``: the installed models, each with its card's one-line summary; a model
whose folder is broken is listed as unavailable, with the reason."""

from __future__ import annotations


def add_parser(sub) -> None:
    sub.add_parser("models", help="list the installed models",
                   description="List the installed models and where models are looked for.")


def run(args) -> int:
    from composer_gui.ml.model_folder import list_models, models_dirs, skipped_folders

    infos = list_models()
    skipped = skipped_folders()
    searched = ", ".join(str(d) for d in models_dirs())
    if not infos:
        print(f"no models are installed (searched {searched})")
    else:
        width = max(len(m.name) for m in infos)
        for m in infos:
            print(f"{m.name:<{width}}  {m.summary if m.available else 'unavailable: ' + m.problem}")
    for s in skipped:  # interrupted training runs, stray folders: listed apart, with the reason
        print(f"skipped {s.path}: {s.reason}")
    if infos:
        print(f"(searched {searched})")
    return 0
