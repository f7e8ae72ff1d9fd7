# The course's JupyterHub on one machine, for `make hub` (scripts/hub.py starts it).
#
# Every setting that changes from one start to the next comes from scripts/hub.py through
# the environment (COURSE_HUB_*); what is written here holds for every start:
#
# - the hub listens on 127.0.0.1 only: the dummy authenticator (one shared password for
#   every name on the roster) must never face a network. README, "A class on JupyterHub",
#   says how to put a real authenticator in its place;
# - the proxy is the pinned configurable-http-proxy in hub/node_modules (make hub installs
#   it from hub/package-lock.json), never fetched at run time;
# - everything the hub writes lives in one folder, COURSE_HUB_STATE (.hub/ by default,
#   git-ignored): its database, its cookie secret, the users' folders and the submissions;
# - each user's server runs this checkout's Python environment (jupyterhub-singleuser of
#   .venv) on the user's own working copy of the course, made and updated as `make lab`
#   makes one student's (scripts/my_work.py sync: new lessons copied in, changed ones
#   announced, nothing overwritten): students get the copies without the answers, the
#   instructor the lessons as they are and a notebook that collects and grades.
#
# The local spawner runs every user's server as the hub's own system user. The hub keeps a
# student out of another student's server (its pages and its API answer 403 or send the
# student back to the login), but not a student's code out of another user's files: for a
# class, give each student a system user of their own (SystemdSpawner) or a container
# (Zero to JupyterHub on a cluster). README says more.

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import hub  # noqa: E402  (scripts/hub.py: the users' folders and the roster)

settings = hub.Settings.from_environment(os.environ)

c.JupyterHub.bind_url = f"http://127.0.0.1:{settings.port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(hub.PROXY)]
c.ConfigurableHTTPProxy.pid_file = str(settings.state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{settings.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(settings.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(settings.state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = settings.password
c.Authenticator.allowed_users = set(settings.students) | {settings.instructor}
c.Authenticator.admin_users = {settings.instructor}

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(settings.state / "users" / "{username}")
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.environment = {"TF_CPP_MIN_LOG_LEVEL": "3", "OPENBLAS_NUM_THREADS": "1"}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def prepare_the_users_folder(spawner):
    """Make or update the user's working copy before their server starts, and open it."""
    name = spawner.user.name
    folder = hub.prepare_user(settings, name, instructor=name == settings.instructor)
    spawner.notebook_dir = str(folder / hub.WORK_DIR)


c.Spawner.pre_spawn_hook = prepare_the_users_folder
