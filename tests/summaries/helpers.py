"""Articles for summary tests: one written for them, and shapes built by hand."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.articles import Article, Paragraph, Section

# A commentary of our own, not the seed's subject or translator's style: for sanity only.
RAIL = """---
title: 地方鉄道は誰のものか
author: 田中次郎
date: 2025-11-02
---

人口減少が続く地方で、鉄道の廃止をめぐる議論が各地で起きている。赤字路線を残すべきか、バスに置き換えるべきか、答えは一つではない。だが、最も重要なのは、鉄道を地域の公共財として位置づけ直すことだ。

## 赤字の実態

多くの地方路線では、運賃収入が運行費用の三割にも満たない。鉄道会社は都市部の利益で地方の赤字を埋めてきた。しかし、都市部の乗客も減り始め、この仕組みは限界に近づいている。国の補助金も一時的な延命策にとどまっている。

## バス転換の現実

鉄道をバスに置き換えれば費用は下がる。実際に転換した地域もある。しかし、転換後に利用者が大きく減った例が多い。定時性や快適さで、バスは鉄道に及ばないからだ。

運転手不足も深刻で、バス路線そのものが維持できない地域もある。

## 観光と通学

鉄道は観光客を呼び込む資源でもある。沿線の景色を売りにした観光列車は、多くの地域で人気を集めている。一方、通学の足として鉄道に頼る高校生も少なくない。

## 今後の課題

## 地域が決める

結論は明確だ:地方鉄道の将来は、鉄道会社ではなく地域が決めるべきである。自治体が線路や駅を保有し、運行を事業者に任せる上下分離は、その有力な手段だ。費用を誰がどう負担するのか、住民が議論に加わる必要がある。
"""


def build(
    sections: Sequence[tuple[str, Sequence[Sequence[str]]]], article_id: str = "built"
) -> Article:
    """An article from (heading, paragraphs of sentences) pairs, the lead first if any."""
    return Article(
        id=article_id,
        path=Path(f"{article_id}.md"),
        format="markdown",
        title=f"{article_id} の題",
        sections=tuple(
            Section(
                index=i,
                heading=heading,
                paragraphs=tuple(
                    Paragraph(n, "".join(sentences), tuple(sentences), n)
                    for n, sentences in enumerate(paragraphs, 1)
                ),
                line=i + 1,
            )
            for i, (heading, paragraphs) in enumerate(sections)
        ),
    )
