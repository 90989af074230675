"""The product's public pages: agents, links and tests rely on these paths."""

from conftest import DOCS

LESSONS = {
    "conduct": ["opening", "etiquette", "call-preparation", "contact-rules",
                "emotional-customers", "complaints-and-disputes", "overdue-stages",
                "complaint-escalation", "recorded-calls", "holidays", "visits", "agent-safety"],
    "listening": ["active-listening", "questioning"],
    "negotiation": ["repayment-plans", "hardship", "promises", "consequences", "legal-remedies",
                    "multiple-debts"],
    "records": ["contact-records", "account-verification", "written-confirmation"],
    "privacy": ["third-parties", "personal-information", "representatives", "deceased-customers"],
}

LESSON_PAGES = [f"{theme}/{name}.md" for theme, names in LESSONS.items() for name in names]
THEME_INDEXES = [f"{theme}/index.md" for theme in LESSONS]
OTHER_PAGES = ["index.md", "situations.md", "glossary.md", "compliance/index.md",
               "compliance/regulations.md", "trainers/index.md", "trainers/contributing.md",
               "trainers/lesson-template.md", "trainers/guard.md", "trainers/search.md",
               "trainers/performance.md"]
ALL_PAGES = LESSON_PAGES + THEME_INDEXES + OTHER_PAGES
# Built from the guard's rule data at build time; never a file in docs/.
GENERATED_PAGES = ["compliance/prohibited.md", "changelog.md", "trainers/review-due.md"]


def lesson_files() -> list:
    """Every lesson actually in docs/, so a new lesson is checked without editing tests."""
    return sorted(
        path for theme in LESSONS for path in (DOCS / theme).glob("*.md") if path.name != "index.md"
    )


def built_path(src: str) -> str:
    """Where a page lands with directory URLs: conduct/opening.md -> conduct/opening/index.html."""
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"
