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

import asyncio
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

# Kernels talk to their server over Unix sockets (ipc), each user's in their own runtime
# folder under STATE/run/, not over TCP ports of 127.0.0.1. With TCP, a kernel's server picks
# five free ports and the kernel binds them a few seconds later; with a class on one machine,
# another process can take one of them meanwhile, and jupyter_client's port cache gives the
# restarted kernel the same ports again: benchmarks/hub_load.py saw it kill a kernel when 20
# students started lesson 01 at once ("Address already in use"). Where STATE lies too deep
# for a socket's path (107 bytes on Linux, 103 on macOS), kernels keep TCP, without the port
# cache, so that a restart takes new ports.
if hub.kernels_over_ipc(settings):
    c.Spawner.args.append("--KernelManager.transport=ipc")
    c.Spawner.environment["JUPYTER_RUNTIME_DIR"] = lambda spawner: str(
        hub.runtime_dir(settings, spawner.user.name)
    )
else:
    c.Spawner.args.append("--KernelManager.cache_ports=False")
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


async def prepare_the_users_folder(spawner):
    """Make or update the user's working copy before their server starts, and open it.

    The copying (0.8 to 2 CPU seconds: fourteen notebooks, each without its answers)
    runs in a thread of its own: in the hub's event loop it would hold up every other
    login, page and spawn meanwhile (40 students starting at once all waited for the
    copies of the 40th).
    """
    name = spawner.user.name
    instructor = name == settings.instructor
    folder = await asyncio.to_thread(hub.prepare_user, settings, name, instructor=instructor)
    spawner.notebook_dir = str(folder / hub.WORK_DIR)


c.Spawner.pre_spawn_hook = prepare_the_users_folder
