"""Reading another copy of the course on the same machine (a second checkout beside this
one, a backup): in the full tier every top-level folder but the system's is hidden."""

import shutil
import uuid

from harness import ROOT, promise
from grader.sandbox.isolation import Tier

STEAL = '''
def sign_gradient(w, lam):
    namespace = {{}}
    try:
        with open({path!r}) as file:
            exec(file.read(), namespace)
    except OSError:
        raise RuntimeError("could not read the copy")
    return namespace["sign_gradient"](w, lam)
'''


def test_read_a_copy_of_the_solutions_beside_the_checkout(tmp_path):
    copy = ROOT.parent / f".l1lab-copy-{uuid.uuid4().hex}"
    try:
        (copy / "solutions").mkdir(parents=True)
        copy.chmod(0o755)
        target = copy / "solutions" / "exercise1.py"
        shutil.copy(ROOT / "solutions" / "exercise1.py", target)
        target.chmod(0o644)
        submission = tmp_path / "exercise1.py"
        submission.write_text(STEAL.format(path=str(target)))
        from harness import grade_file
        graded = grade_file(submission)
        if promise(Tier.FULL):
            assert graded.score == 0, graded.messages
            assert "could not read the copy" in graded.messages
    finally:
        shutil.rmtree(copy, ignore_errors=True)
