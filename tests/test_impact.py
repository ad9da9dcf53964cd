"""`rules impact` (engine/impact.py): what a rulebook change would flip, before it is published."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.policy import impact
from engine.errors import RuleError

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


# Only the offer being in time, demoted from a hard constraint to a consideration that favours joining.
DEMOTE = "      verdict: join\n    stage: constraints\n"
DEMOTED = "      favours: join\n"


def demoted_urgency(tmp_path: Path) -> Path:
    """A copy of the shipped rules where only the offer being in time no longer decides."""
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    path = new / "urgency.yaml"
    path.write_text(path.read_text().replace(DEMOTE, DEMOTED, 1))
    return new


@pytest.fixture(scope="module")
def flipped(tmp_path_factory):
    return impact.impact(ROOT / "rules", demoted_urgency(tmp_path_factory.mktemp("impact")), CASES)


def test_impact_when_a_verdict_rule_becomes_a_consideration_flips_a_line(flipped):
    """The urgent agency's desktops flip from join to go-alone once urgency no longer decides, and it says why."""
    (case,) = flipped.flips
    assert Path(case.case).name == "urgent-agency.yaml"
    assert (case.before, case.after) == ("join", "go-alone")
    (line,) = [lc for lc in case.lines if lc.flipped]
    assert (line.service_line, line.before, line.after) == ("Desktops", "join", "go-alone")
    assert (line.decided_before, line.decided_after) == ("urgency.only-offer-in-time", "suffolk.go-alone-justified")
    assert any(r.startswith("[urgency.only-offer-in-time, consideration, join]") for r in line.reasons_after)
    assert any(r.startswith("[urgency.only-offer-in-time, why, join]") for r in line.reasons_before)


def test_impact_when_a_change_flips_one_case_counts_it(flipped):
    """The summary counts overall and line flips over every case."""
    assert flipped.summary().startswith(f"{len(list(CASES.glob('*.yaml')))} case(s) decided under both rulebooks: 1 overall verdict(s) and 1 service line verdict(s) flipped")
    assert flipped.changed


def test_impact_when_nothing_changes():
    """The same rulebook on both sides flips nothing."""
    result = impact.impact(ROOT / "rules", ROOT / "rules", CASES)
    assert not result.changed and not result.flips


def test_base_rulebook_when_given_a_git_revision(tmp_path):
    """A git revision's rules folder is extracted and compared with the working copy."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "rules", repo / "rules")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "published"], check=True)
    path = repo / "rules" / "urgency.yaml"
    path.write_text(path.read_text().replace(DEMOTE, DEMOTED, 1))
    with impact.base_rulebook("HEAD", repo / "rules") as old:
        assert DEMOTE in (old / "urgency.yaml").read_text()
        result = impact.impact(old, repo / "rules", CASES)
    assert len(result.flips) == 1
    assert not old.exists()


def test_base_rulebook_when_the_revision_does_not_exist():
    """An unknown revision is one clear error, not a traceback."""
    with pytest.raises(RuleError, match="git"):
        with impact.base_rulebook("no-such-revision-anywhere", ROOT / "rules"):
            pass


def test_impact_when_the_cases_folder_does_not_exist():
    """A missing cases folder is one clear error, not an empty comparison."""
    with pytest.raises(RuleError, match="no such folder of cases"):
        impact.impact(ROOT / "rules", ROOT / "rules", ROOT / "no-such-cases")


def test_impact_when_a_rule_is_renamed_with_replaces(tmp_path):
    """A rule renamed under a new id (the old one kept under `replaces`) is not reported as a change."""
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    path = new / "size.yaml"
    path.write_text(
        path.read_text().replace(
            "  - id: size.small-organisation\n",
            "  - id: size.small-body\n    replaces: [size.small-organisation]\n",
        )
    )
    result = impact.impact(ROOT / "rules", new, CASES)
    assert not result.changed
    assert [c for c in result.cases if c.lines] == []


def _published(tmp_path: Path) -> Path:
    """A git repository holding a copy of the shipped rules, committed once."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(ROOT / "rules", repo / "rules")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "published"], check=True)
    subprocess.run([*git, "branch", "team/draft"], check=True)
    return repo


def test_rules_impact_when_base_is_a_git_option_then_no_file_and_exit_2(tmp_path):
    """`--base=--output=PATH` is refused in one line (exit 2) and git never writes PATH."""
    repo = _published(tmp_path)
    target = tmp_path / "x"
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli", "rules", "impact", f"--base=--output={target}", str(repo / "rules"),
         "--cases", str(CASES)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "--base" in done.stderr
    assert list(tmp_path.glob("x*")) == []


@pytest.mark.parametrize("base", ["--remote=localhost", "--exec=touch", "HEAD:rules", "", "HEAD\nHEAD"])
def test_base_rulebook_when_base_is_not_a_commit_then_rule_error(tmp_path, base):
    """An option, a tree, an empty or a two-line revision is refused before git is given it as one."""
    repo = _published(tmp_path)
    with pytest.raises(RuleError) as info:
        with impact.base_rulebook(base, repo / "rules"):
            pass
    assert info.value.file == "--base"


def test_base_rulebook_when_the_revision_has_a_slash(tmp_path):
    """A branch such as team/draft is extracted to a folder named by its commit, not by the branch."""
    repo = _published(tmp_path)
    with impact.base_rulebook("team/draft", repo / "rules") as old:
        assert (old / "requirements.yaml").is_file()
        assert "/" not in old.name
