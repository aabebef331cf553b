"""What a training stage spent, per stage and in total, as recorded in method meta."""

from __future__ import annotations

from fsre_bench.training.budget import StageBudget, spent, total_budget


def test_a_stage_counts_steps_texts_and_tokens() -> None:
    budget = StageBudget()
    budget.add_step(texts=8, tokens=120)
    budget.add_step(texts=8, tokens=100)
    assert budget.so_far() | {"wall_s": 0.0} == {"steps": 2, "texts": 16, "tokens": 220, "wall_s": 0.0}
    stopped = budget.stop()
    assert stopped is budget and budget.as_dict() == {"steps": 2, "texts": 16, "tokens": 220,
                                                      "wall_s": budget.wall_s}
    assert 0.0 <= budget.wall_s < 5.0


def test_only_stages_that_ran_are_recorded_and_summed() -> None:
    first = {"steps": 10, "texts": 80, "tokens": 900, "wall_s": 1.234}
    second = {"steps": 5, "texts": 40, "tokens": 400, "wall_s": 2.222}
    assert total_budget({"a": first, "b": second}) == {"steps": 15, "texts": 120, "tokens": 1300, "wall_s": 3.46}
    assert spent(stage1=first, stage2=None, stage3={}) == {"stages": {"stage1": first}, "total": {
        "steps": 10, "texts": 80, "tokens": 900, "wall_s": 1.23}}
    assert spent() == {"stages": {}, "total": {"steps": 0, "texts": 0, "tokens": 0, "wall_s": 0}}
