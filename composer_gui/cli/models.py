"""``composer-gui models``: the installed models, each with its card's one-line summary; a model
whose folder is broken is listed as unavailable, with the reason."""

from __future__ import annotations


def add_parser(sub) -> None:
    sub.add_parser("models", help="list the installed models",
                   description="List the installed models and where models are looked for.")


def run(args) -> int:
    from composer_gui.ml.model_folder import list_models, models_dirs

    infos = list_models()
    searched = ", ".join(str(d) for d in models_dirs())
    if not infos:
        print(f"no models are installed (searched {searched})")
        return 0
    width = max(len(m.name) for m in infos)
    for m in infos:
        print(f"{m.name:<{width}}  {m.summary if m.available else 'unavailable: ' + m.problem}")
    print(f"(searched {searched})")
    return 0
