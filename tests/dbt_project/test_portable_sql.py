"""No DuckDB-only SQL outside the engine-specific macros (spec §9, docs/scaling.md).

The check: every .sql file under dbt_project/models, macros and tests, with comments, string
literals and the bodies of engine-specific macros (`duckdb__`, `postgres__`, `spark__`, ...: every
dispatched implementation but `default__`) and Jinja code removed, must match none of the
DuckDB-only constructs below (case-insensitive). String literals go because they are data: the SQL
that marts.metric_lineage hands evaluators is for the DuckDB snapshot, not for the engine.
Seeds must not name `varchar` or `double` as a column type (Spark needs a length, PostgreSQL says
`double precision`): their YAML uses the &text/&double spellings that follow the target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"

DUCKDB_ONLY = {
    "`::` cast": r"::",
    "varchar": r"\bvarchar\b",
    "double without precision": r"\bdouble\b(?!\s+precision)",
    "list_/struct_/array_ functions": r"\b(list|struct|array)_\w+\s*\(",
    "list literal or lambda": r"\[\s*\]|->",
    "unnest": r"\bunnest\s*\(",
    "printf/format": r"\b(printf|format)\s*\(",
    "strftime/strptime": r"\b(strftime|strptime|try_strptime)\s*\(",
    "epoch": r"\bepoch(_ms|_us|_ns)?\s*\(",
    "QUALIFY": r"\bqualify\b",
    "GROUP BY ALL / ORDER BY ALL": r"\b(group|order)\s+by\s+all\b",
    "arg_max/arg_min": r"\b(arg_max|arg_min|argmax|argmin|max_by|min_by)\s*\(",
    "make_date/make_timestamp": r"\bmake_(date|timestamp|time)\s*\(",
    "date_diff/date_sub/date_add/datediff": r"\b(date_diff|date_sub|date_add|datediff|date_part)\s*\(",
    "date_trunc": r"\bdate_trunc\s*\(",
    "regexp_matches/regexp_full_match": r"\bregexp_(matches|full_match|extract_all)\s*\(",
    "`//` integer division": r"//",
    "ILIKE": r"\bilike\b",
    "aggregate FILTER (WHERE ...)": r"\bfilter\s*\(\s*where\b",
    "string_agg/group_concat/listagg": r"\b(string_agg|group_concat|listagg)\s*\(",
    "SELECT * EXCLUDE/REPLACE, COLUMNS()": r"\*\s*(exclude|replace)\b|\bcolumns\s*\(",
    "try_cast": r"\btry_cast\s*\(",
    "ASOF/POSITIONAL join": r"\b(asof|positional)\s+join\b",
    "prepared parameter $name": r"\$[a-z_]",
}
ENGINE_MACRO = re.compile(r"{%-?\s*macro\s+(?!default__)[a-z]+__\w+.*?{%-?\s*endmacro\s*-?%}", re.S | re.I)
JINJA_COMMENT = re.compile(r"{#.*?#}", re.S)
JINJA_TAG = re.compile(r"({{.*?}}|{%.*?%})", re.S)
SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*'")
LINE_COMMENT = re.compile(r"--[^\n]*")


def portable_view(sql: str) -> str:
    """The SQL the check looks at: no comments, no string literals, no engine-specific macros, no
    Jinja code (what a macro call renders is checked in the macro's own file)."""
    sql = JINJA_COMMENT.sub(" ", sql)
    sql = ENGINE_MACRO.sub(" ", sql)
    sql = JINJA_TAG.sub(" jinja ", sql)
    sql = SINGLE_QUOTED.sub("''", sql)
    return LINE_COMMENT.sub(" ", sql)


def duckdb_only(sql: str) -> list[str]:
    view = portable_view(sql)
    return [name for name, pattern in DUCKDB_ONLY.items() if re.search(pattern, view, re.I)]


def test_no_duckdb_only_sql_outside_the_engine_macros():
    files = sorted(p for folder in ("models", "macros", "tests") for p in (PROJECT / folder).rglob("*.sql"))
    assert len(files) > 40
    found = {str(p.relative_to(PROJECT)): hits for p in files if (hits := duckdb_only(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_seed_column_types_are_portable():
    text = (PROJECT / "seeds" / "reference" / "_reference__seeds.yml").read_text(encoding="utf-8")
    types = re.findall(r"column_types:\s*{(.*?)}\n", text)
    assert len(types) >= 10
    for declared in types:
        for name, kind in re.findall(r"(\w+):\s*([^,]+?)(?:,|$)", declared):
            assert kind.strip() in ("*text", "*double", "integer", "boolean", "date") or kind.strip().startswith(
                ("&text", "&double")), (name, kind)


@pytest.mark.parametrize("sql, construct", [
    ("select x::int from t", "`::` cast"),
    ("select cast(x as varchar) from t", "varchar"),
    ("select cast(x as double) from t", "double without precision"),
    ("select printf('%d', x) from t", "printf/format"),
    ("select * from t qualify row_number() over () = 1", "QUALIFY"),
    ("select a, count(*) from t group by all", "GROUP BY ALL / ORDER BY ALL"),
    ("select arg_max(a, b) from t", "arg_max/arg_min"),
    ("select make_date(2024, 4, 1)", "make_date/make_timestamp"),
    ("select date_diff('day', a, b) from t", "date_diff/date_sub/date_add/datediff"),
    ("select count(*) filter (where a) from t", "aggregate FILTER (WHERE ...)"),
    ("select a // 2 from t", "`//` integer division"),
    ("select * from t where a ilike 'x%'", "ILIKE"),
    ("select list_value(1, 2)", "list_/struct_/array_ functions"),
    ("select string_agg(a, ',') from t", "string_agg/group_concat/listagg"),
    ("select epoch(ts) from t", "epoch"),
    ("select strftime(d, '%Y') from t", "strftime/strptime"),
    ("select regexp_matches(a, 'x') from t", "regexp_matches/regexp_full_match"),
])
def test_the_check_catches_each_construct(sql, construct):
    assert construct in duckdb_only(sql)


def test_the_check_leaves_engine_macros_comments_and_strings_alone():
    sql = """{% macro duckdb__label(x) %} printf('%d', {{ x }})::varchar {% endmacro %}
             -- select a // b
             select 'count(*) filter (where a)' as text_about_sql, {{ divide('a', 'b') }} as ratio"""
    assert duckdb_only(sql) == []
    assert duckdb_only(sql.replace("duckdb__", "default__")) == ["`::` cast", "varchar", "printf/format"]
