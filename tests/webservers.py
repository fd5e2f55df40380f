"""Debian's nginx and Apache httpd, started on a free loopback port with the configuration
``cnipa-kg site`` writes, as a publisher would install it (``make test`` installs both with apt-get).

nginx: the generated ``nginx.conf`` is included in an ``http`` block, with its two paths (the site's
folder) and its ``listen`` edited, which is what the README tells a publisher to do. Apache: a
configuration with Debian's defaults for a site folder (``Options FollowSymLinks``, ``.ht*`` denied)
and ``AllowOverride FileInfo Indexes``, the modules ``a2enmod rewrite headers`` adds to Debian's
defaults; the site's own ``.htaccess`` does the rest. Each server is stopped (and waited for) on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

NGINX = Path("/usr/sbin/nginx")
APACHE = Path("/usr/sbin/apache2")
NJS = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")
APACHE_MODULES = Path("/usr/lib/apache2/modules")


def processes_mentioning(text: str) -> list[int]:
    """The processes whose command line contains ``text`` (a server's configuration path), and their
    descendants (nginx's workers are named ``nginx: worker process``)."""
    parents: dict[int, int] = {}
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    grew = True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return sorted(found)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require(*paths: Path) -> None:
    """Skip (fail in CI, where ``make test`` installs them) when a server is missing."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        message = f"missing {', '.join(missing)} (`make test` installs nginx, libnginx-mod-http-js and apache2)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def readable(site: Path) -> None:
    """Let the servers' workers (www-data when started as root) read the site and the folders above it."""
    for folder in [site, *site.parents]:
        mode = folder.stat().st_mode
        if mode & 0o005 != 0o005:
            folder.chmod(mode | 0o005)


def _wait(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{proc.args[0]} did not answer on {url} in 30 s:\n{log.read_text(errors='replace')}")


@contextlib.contextmanager
def _running(argv: list[str], url: str, log: Path, stop_signal: int) -> Iterator[str]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log.open("ab"), start_new_session=True)
    try:
        _wait(proc, url, log)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, stop_signal)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def nginx_site_conf(site: Path, port: int) -> str:
    """The site's ``nginx.conf`` with its paths and port edited as the README says."""
    from cnipa_kg.sitegen.hosting import ROOT

    text = (site / "nginx.conf").read_text(encoding="utf-8")
    assert ROOT in text and text.count("listen 8080;") == 1, "nginx.conf changed: edit this helper too"
    return text.replace(ROOT, str(site)).replace("listen 8080;", f"listen 127.0.0.1:{port};")


@contextlib.contextmanager
def nginx(site: Path, work: Path, port: int | None = None) -> Iterator[str]:
    """nginx serving ``site`` at the root of ``http://127.0.0.1:PORT`` (a free port unless given)."""
    require(NGINX, NJS)
    readable(site)
    work.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    (work / "site.conf").write_text(nginx_site_conf(site, port), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
load_module {NJS};
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    include {work}/site.conf;
}}
""", encoding="utf-8")
    log = work / "error.log"
    check = subprocess.run([str(NGINX), "-t", "-q", "-p", str(work), "-c", str(work / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"nginx -t refused the generated configuration:\n{check.stderr}"
    with _running([str(NGINX), "-p", str(work), "-c", str(work / "nginx.conf")], f"http://127.0.0.1:{port}",
                  log, signal.SIGQUIT) as url:
        yield url


APACHE_CONF = """ServerRoot {work}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {work}/apache.pid
DefaultRuntimeDir {work}
Mutex file:{work} default
ErrorLog {work}/error.log
LogLevel warn
{user}
{modules}
TypesConfig /etc/mime.types
# Debian's apache2.conf: nothing outside the site, .ht* files denied, the site's folder as /var/www
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
DocumentRoot {site}
<Directory {site}>
    Options Indexes FollowSymLinks
    AllowOverride FileInfo Indexes
    Require all granted
</Directory>
"""
#: Debian's default modules (those the site uses) and the two `a2enmod rewrite headers` adds
MODULES = ("mpm_event", "authz_core", "authz_host", "dir", "mime", "negotiation", "alias", "setenvif",
           "rewrite", "headers")


@contextlib.contextmanager
def apache(site: Path, work: Path, port: int | None = None) -> Iterator[str]:
    """Apache httpd serving ``site`` at the root of ``http://127.0.0.1:PORT`` with its ``.htaccess``."""
    require(APACHE)
    readable(site)
    work.mkdir(parents=True, exist_ok=True)
    readable(work)
    port = port or free_port()
    modules = "\n".join(f"LoadModule {m}_module {APACHE_MODULES}/mod_{m}.so" for m in MODULES)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    conf = work / "apache.conf"
    conf.write_text(APACHE_CONF.format(work=work, port=port, site=site, modules=modules, user=user), encoding="utf-8")
    check = subprocess.run([str(APACHE), "-t", "-f", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, f"apache2 -t refused the configuration:\n{check.stderr}"
    with _running([str(APACHE), "-f", str(conf), "-DFOREGROUND"], f"http://127.0.0.1:{port}",
                  work / "error.log", signal.SIGTERM) as url:
        yield url

