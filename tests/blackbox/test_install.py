#!/usr/bin/env python3
"""Install tests: `make install` / `make uninstall` into a DESTDIR under build/, and what they install; nothing is installed outside build/.

What they install: the tree, the substituted paths, the man page (renders without
warnings, documents every setting of src/config.c), the example configuration (every
setting; passes --check-config), the systemd units (systemd-analyze verify) and the nginx
snippets (nginx -t). The tests of the installed tree share one `make install` (the
Installed fixture); the runner is tests/blackbox/harness.py's.

    python3 tests/blackbox/test_install.py [-v] [-k SUBSTRING]

Prints `ok  name` / `FAIL name: reason` per test (and `note ...` lines), then
`install: N passed, N failed`; exits 1 when any failed. stdlib only.
BATCHSTATUS_BIN names the build to install (default build/batchstatus); its
directory is passed to make as BUILD.
"""
import http.server
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import urllib.parse

import harness
from harness import BIN, ROOT, Failure, Fixture, Group, check, test

BUILD = os.path.dirname(BIN)
# Under the suite's run directory when tests/run_all.sh runs it (build/ or build/asan/).
WORK = (os.path.join(ROOT, os.environ["BLACKBOX_RUN_ROOT"], "install") if os.environ.get("BLACKBOX_RUN_ROOT")
        else os.path.join(ROOT, "build", "install-test"))
PREFIX = "/usr/local"
DEST = os.path.join(WORK, "dest")          # make install DESTDIR=DEST PREFIX=/usr/local
DEST_USR = os.path.join(WORK, "dest-usr")  # the same with PREFIX=/usr
DEST_UNINSTALL = os.path.join(WORK, "dest-uninstall")  # installed and uninstalled by one test

# What `make install PREFIX=/usr/local` must put there, and nothing else (mode).
LAYOUT = {
    "usr/local/sbin/batchstatus": 0o755,
    "usr/local/share/batchstatus/templates/layout.tpl": 0o644,
    "usr/local/share/batchstatus/templates/form.tpl": 0o644,
    "usr/local/share/batchstatus/templates/batch.tpl": 0o644,
    "usr/local/share/batchstatus/templates/error.tpl": 0o644,
    "usr/local/share/batchstatus/templates/customers.tpl": 0o644,
    "usr/local/share/batchstatus/templates/customer.tpl": 0o644,
    "usr/local/share/batchstatus/templates/device_batch.tpl": 0o644,
    "usr/local/share/batchstatus/templates/following.tpl": 0o644,
    "usr/local/share/batchstatus/templates/i18n/en-US.catalog": 0o644,
    "usr/local/share/batchstatus/templates/i18n/zh-TW.catalog": 0o644,
    "usr/local/share/batchstatus/templates/i18n/ja-JP.catalog": 0o644,
    "usr/local/share/batchstatus/templates/i18n/hu-HU.catalog": 0o644,
    "usr/local/share/batchstatus/static/style.css": 0o644,
    "usr/local/share/batchstatus/static/batchstatus.js": 0o644,
    "usr/local/share/batchstatus/nginx/batchstatus-site.conf": 0o644,
    "usr/local/share/batchstatus/nginx/batchstatus-http.conf": 0o644,
    "usr/local/share/doc/batchstatus/batchstatus.conf.example": 0o644,
    "usr/local/share/man/man8/batchstatus.8": 0o644,
    "usr/local/lib/systemd/system/batchstatus.socket": 0o644,
    "usr/local/lib/systemd/system/batchstatus.service": 0o644,
}
SERVICE = "usr/local/lib/systemd/system/batchstatus.service"
SOCKET = "usr/local/lib/systemd/system/batchstatus.socket"
MAN = "usr/local/share/man/man8/batchstatus.8"
CONF = "usr/local/share/doc/batchstatus/batchstatus.conf.example"
SITE = "usr/local/share/batchstatus/nginx/batchstatus-site.conf"
HTTP = "usr/local/share/batchstatus/nginx/batchstatus-http.conf"
TEMPLATES = "usr/local/share/batchstatus/templates"
SOCK_PATH = "/run/batchstatus/batchstatus.sock"

# Directives the service must carry (issue 4): key -> value, or None for "present".
HARDENING = {
    "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
    "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "SystemCallFilter": "@system-service", "SystemCallArchitectures": "native",
    "MemoryDenyWriteExecute": "yes", "LockPersonality": "yes", "RestrictNamespaces": "yes",
    "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes", "UMask": "0077", "StateDirectory": "batchstatus",
    "DynamicUser": "yes", "StandardInput": "socket", "KillSignal": "SIGTERM",
    "TimeoutStopSec": None,
    "LoadCredential": "client-secret:/etc/batchstatus/client-secret",
}

VERBOSE = "-v" in sys.argv


def note(msg):
    print("note %s" % msg, flush=True)


def short(s, n=400):
    s = re.sub(r"\s+", " ", s or "").strip()
    return s if len(s) <= n else s[:n] + "..."


def run(cmd, timeout=300, **kw):
    if VERBOSE:
        sys.stderr.write("  $ %s\n" % " ".join(cmd))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout, **kw)


def out(p):
    return (p.stdout + p.stderr).decode("utf-8", "replace")


def read(rel, base=DEST):
    with open(os.path.join(base, rel), encoding="utf-8") as f:
        return f.read()


def make(*args, user=None):
    """make -C ROOT BUILD=<the build under test> ARGS; BIN is not rebuilt when it exists."""
    cmd = ["make", "--no-print-directory", "-C", ROOT, "BUILD=" + BUILD]
    if os.path.exists(BIN):
        cmd += ["-o", BIN]  # an ASan build must not be relinked by make install
    cmd += list(args)
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + cmd
    return run(cmd, timeout=900)


def files_under(d):
    found = {}
    for top, _, names in os.walk(d):
        for n in names:
            p = os.path.join(top, n)
            found[os.path.relpath(p, d)] = stat.S_IMODE(os.lstat(p).st_mode)
    return found


def config_settings():
    """The setting names of src/config.c's table: the truth the docs must follow."""
    with open(os.path.join(ROOT, "src", "config.c"), encoding="utf-8") as f:
        src = f.read()
    m = re.search(r"struct setting\s+settings\s*\[\s*\]\s*=\s*\{(.*?)\n\};", src, re.S)
    check(m, "src/config.c: no `settings[] = { ... };` table found")
    names = re.findall(r'\{\s*"([a-z0-9_]+)"\s*,', m.group(1))
    check(len(names) >= 5, "src/config.c: only %d settings parsed" % len(names))
    return names


def conf_lines(text):
    """The example config's commented-out settings: [(name, value)]."""
    return re.findall(r"^#([a-z0-9_]+) = ?(.*)$", text, re.M)


def unit_keys(text):
    keys = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if m:
            keys.setdefault(m.group(1), []).append(m.group(2))
    return keys


def bin_help():
    p = run([BIN, "--help"], timeout=10)
    return out(p)


def has_check_config():
    return "--check-config" in bin_help()


# ---------------------------------------------------------------------------- tests

def install_depends_on_build():
    empty = os.path.join(WORK, "nobuild")
    p = run(["make", "--no-print-directory", "-n", "-C", ROOT, "BUILD=" + empty,
             "install", "DESTDIR=" + os.path.join(WORK, "never")], timeout=60)
    text = out(p)
    check(p.returncode == 0, "make -n install failed: %s" % short(text))
    check(re.search(r"-o %s/batchstatus\b" % re.escape(empty), text),
          "make -n install with an empty BUILD does not link the server first: %s" % short(text))


def _others_may_use(paths):
    """True when a user who is neither owner nor group can reach (and read) every path."""
    for p in paths:
        d = os.path.dirname(p)
        while d and d != "/":
            if not os.stat(d).st_mode & stat.S_IXOTH:
                return False
            d = os.path.dirname(d)
        if not os.stat(p).st_mode & stat.S_IROTH:
            return False
    return True


def install_as_non_root():
    shutil.rmtree(DEST, ignore_errors=True)
    os.makedirs(WORK, exist_ok=True)
    sources = [os.path.join(ROOT, f) for f in ("Makefile", "man/batchstatus.8", "etc/batchstatus.conf.example",
                                               "systemd/batchstatus.service", "systemd/batchstatus.socket",
                                               "nginx/batchstatus-site.conf.example",
                                               "nginx/batchstatus-http.conf.example", "static/style.css", "static/batchstatus.js",
                                               "templates/layout.tpl")]
    as_nobody = (os.getuid() == 0 and shutil.which("setpriv") and os.path.exists(BIN)
                 and _others_may_use(sources + [BIN, WORK]))
    if os.getuid() == 0 and not as_nobody:
        note("make install runs as root: the checkout or %s is not readable by others, "
             "so it cannot be tried as nobody" % os.path.relpath(WORK, ROOT))
    if as_nobody:
        # As nobody, into a directory nobody may write: install must need no privilege.
        os.makedirs(DEST)
        os.chmod(DEST, 0o777)
        p = make("install", "DESTDIR=" + DEST, "PREFIX=" + PREFIX, user=65534)
        who = "nobody"
    else:
        p = make("install", "DESTDIR=" + DEST, "PREFIX=" + PREFIX)
        who = "uid %d" % os.getuid()
    check(p.returncode == 0, "make install (as %s) exited %d: %s"
          % (who, p.returncode, short(out(p)[-1500:])))


def layout_is_exact():
    got = files_under(DEST)
    missing = sorted(set(LAYOUT) - set(got))
    extra = sorted(set(got) - set(LAYOUT))
    check(not missing, "not installed: %s" % ", ".join(missing))
    check(not extra, "installed but not expected: %s" % ", ".join(extra))
    wrong = ["%s is %o, not %o" % (f, got[f], m) for f, m in LAYOUT.items() if got[f] != m]
    check(not wrong, "; ".join(wrong))
    files = [f for f in os.listdir(os.path.join(ROOT, "templates")) if f.endswith(".tpl")]
    files += ["i18n/" + f for f in os.listdir(os.path.join(ROOT, "templates", "i18n"))]
    for f in files:
        check(read(os.path.join(TEMPLATES, f)) == open(os.path.join(ROOT, "templates", f),
                                                       encoding="utf-8").read(),
              "installed %s differs from templates/%s" % (f, f))


def paths_are_substituted():
    for rel in (SERVICE, SOCKET, MAN, CONF, SITE, HTTP):
        left = sorted(set(re.findall(r"@[A-Z_]+@", read(rel))))
        check(not left, "%s still has %s" % (rel, ", ".join(left)))
    svc = unit_keys(read(SERVICE))
    check(svc.get("ExecStart") == ["/usr/local/sbin/batchstatus --config /etc/batchstatus/batchstatus.conf"],
          "ExecStart is %s" % svc.get("ExecStart"))
    check("BATCHSTATUS_TEMPLATES_DIR=/usr/local/share/batchstatus/templates" in svc.get("Environment", []),
          "the service does not set BATCHSTATUS_TEMPLATES_DIR to the installed templates: %s"
          % svc.get("Environment"))
    check(re.search(r"^#templates_dir = /usr/local/share/batchstatus/templates$", read(CONF), re.M),
          "the example config's templates_dir is not the installed templates")
    check(re.search(r"^\s*alias /usr/local/share/batchstatus/static/;", read(SITE), re.M),
          "the nginx snippet's /static/ alias is not the installed static dir")
    check("/usr/local/sbin/batchstatus" in read(MAN), "the man page's FILES do not name the installed binary")


def units_have_the_settings():
    svc = unit_keys(read(SERVICE))
    bad = []
    for k, v in HARDENING.items():
        if k not in svc:
            bad.append("%s missing" % k)
        elif v is not None and v not in svc[k]:
            bad.append("%s=%s, not %s" % (k, svc[k], v))
    check("BATCHSTATUS_CLIENT_SECRET_FILE=%d/client-secret" in svc.get("Environment", []),
          "Environment=BATCHSTATUS_CLIENT_SECRET_FILE=%d/client-secret missing")
    check(any("batchstatus.socket" in v for v in svc.get("Requires", [])), "Requires=batchstatus.socket missing")
    # With StandardInput=socket, stdout/stderr default to the socket too.
    check(svc.get("StandardOutput") == ["journal"] and svc.get("StandardError") == ["journal"],
          "StandardOutput/StandardError must be journal (they would inherit the socket)")
    sock = unit_keys(read(SOCKET))
    for k, v in (("ListenStream", SOCK_PATH), ("SocketMode", "0660"), ("SocketGroup", "www-data"),
                 ("Accept", "no")):
        if sock.get(k) != [v]:
            bad.append("socket %s=%s, not %s" % (k, sock.get(k), v))
    check(not bad, "; ".join(bad))


def units_pass_systemd_analyze_verify():
    if not shutil.which("systemd-analyze"):
        raise Failure("systemd-analyze not found (Debian package systemd, in make deps)")
    # verify wants ExecStart's binary to exist: copies whose ExecStart points into DESTDIR.
    d = tempfile.mkdtemp(prefix="units-", dir=WORK)
    for u in (SERVICE, SOCKET):
        text = read(u).replace("ExecStart=/usr/local/sbin/", "ExecStart=%s/usr/local/sbin/" % DEST)
        with open(os.path.join(d, os.path.basename(u)), "w", encoding="utf-8") as f:
            f.write(text)
    p = run(["systemd-analyze", "verify", "--man=no", "batchstatus.socket", "batchstatus.service"],
            timeout=60, cwd=d)
    # Unknown keys and bad values are only warnings (exit 0): any output is a failure.
    check(p.returncode == 0 and not out(p).strip(),
          "systemd-analyze verify exited %d: %s" % (p.returncode, short(out(p), 800)))
    sec = run(["systemd-analyze", "security", "--offline=yes", "--no-pager", "batchstatus.service"],
              timeout=60, cwd=d)
    level = [ln for ln in out(sec).splitlines() if "Overall exposure level" in ln]
    note("systemd-analyze security (not asserted): %s" % (level[0].strip() if level else short(out(sec), 200)))
    shutil.rmtree(d, ignore_errors=True)


def fastcgi_params(text):
    # SCRIPT_NAME is the mount point: "" in the site snippet, @PREFIX@ in the tested one.
    return sorted(re.sub(r"^SCRIPT_NAME\s.*", "SCRIPT_NAME", p)
                  for p in re.findall(r"^\s*fastcgi_param\s+(.*?);", text, re.M))


def nginx_snippet_matches_the_tested_one():
    site = read(SITE)
    tested = open(os.path.join(ROOT, "nginx", "batchstatus.locations.conf.in"), encoding="utf-8").read()
    check(fastcgi_params(site) == fastcgi_params(tested),
          "fastcgi_param lines differ from nginx/batchstatus.locations.conf.in: %s vs %s"
          % (fastcgi_params(site), fastcgi_params(tested)))
    for d in ("fastcgi_read_timeout", "fastcgi_connect_timeout", "fastcgi_cache_key",
              "fastcgi_ignore_headers", "fastcgi_buffers", "fastcgi_buffer_size"):
        a = re.findall(r"^\s*%s\s+(.*?);" % d, site, re.M)
        b = re.findall(r"^\s*%s\s+(.*?);" % d, tested, re.M)
        check(a == b, "%s: %s here, %s in batchstatus.locations.conf.in" % (d, a, b))
    passes = set(re.findall(r"^\s*fastcgi_pass\s+unix:(\S+);", site, re.M))
    check(passes == {SOCK_PATH}, "fastcgi_pass goes to %s, not the socket unit's %s" % (passes, SOCK_PATH))
    check(re.search(r"^\s*client_max_body_size\s+1k;", site, re.M), "no client_max_body_size 1k")
    check(re.search(r"^\s*#\s*auth_request\s", site, re.M) and re.search(r"^\s*#\s*auth_basic\s", site, re.M),
          "no commented access-control example (auth_request, auth_basic)")
    check(not re.search(r"^\s*fastcgi_keep_conn\s+on", site, re.M), "fastcgi_keep_conn on")


def uncomment_examples(text):
    """Commented-out directives (`# word ...;`, `{`, `}`) turned on, includes left alone."""
    def on(m):
        body = m.group(2)
        if body.startswith("include "):
            return m.group(0)
        return m.group(1) + body
    return re.sub(r"^(\s*)#\s*([a-z_][^\n]*?(?:;|\{|\})|\})\s*$", on, text, flags=re.M)


def nginx_accepts_the_snippets():
    if not shutil.which("nginx"):
        raise Failure("nginx not found")
    d = tempfile.mkdtemp(prefix="nginx-", dir=WORK)
    for sub in ("logs", "tmp", "cache"):
        os.makedirs(os.path.join(d, sub))
    http = read(HTTP).replace("/var/lib/nginx/batchstatus", os.path.join(d, "cache"))
    results = []
    for variant, tf in (("as installed", lambda s: s), ("with every commented example on", uncomment_examples)):
        with open(os.path.join(d, "http.conf"), "w", encoding="utf-8") as f:
            f.write(tf(http))
        with open(os.path.join(d, "site.conf"), "w", encoding="utf-8") as f:
            f.write(tf(read(SITE)))
        with open(os.path.join(d, "htpasswd"), "w", encoding="utf-8") as f:
            f.write("x:$apr1$x$x\n")
        conf = """%(user)s
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log;
events {}
http {
    client_body_temp_path %(d)s/tmp/body;
    fastcgi_temp_path %(d)s/tmp/fastcgi;
    proxy_temp_path %(d)s/tmp/proxy;
    uwsgi_temp_path %(d)s/tmp/uwsgi;
    scgi_temp_path %(d)s/tmp/scgi;
    access_log off;
    include %(d)s/http.conf;
    server {
        listen unix:%(d)s/nginx.sock;
        include %(d)s/site.conf;
    }
}
""" % {"d": d, "user": "user root;" if os.getuid() == 0 else ""}
        with open(os.path.join(d, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(conf)
        # The site snippet's own auth_basic_user_file path is replaced too.
        for name in ("site.conf",):
            p = os.path.join(d, name)
            s = open(p, encoding="utf-8").read().replace("/etc/nginx/batchstatus.htpasswd",
                                                          os.path.join(d, "htpasswd"))
            open(p, "w", encoding="utf-8").write(s)
        p = run(["nginx", "-t", "-q", "-p", d, "-c", os.path.join(d, "nginx.conf"),
                 "-e", os.path.join(d, "logs", "error.log")], timeout=60)
        if p.returncode != 0:
            results.append("%s: %s" % (variant, short(out(p), 500)))
    shutil.rmtree(d, ignore_errors=True)
    check(not results, "nginx -t: " + "; ".join(results))


def man_page_renders_without_warnings():
    problems = []
    for label, path in (("man/batchstatus.8", os.path.join(ROOT, "man", "batchstatus.8")),
                        ("installed", os.path.join(DEST, MAN))):
        p = run(["groff", "-man", "-ww", "-z", path], timeout=60)
        if p.returncode != 0 or out(p).strip():
            problems.append("groff -man -ww -z %s: %s" % (label, short(out(p))))
        for width in ("60", "80", "120"):
            p = run(["groff", "-man", "-Tutf8", "-ww", "-rLL=%sn" % width, path], timeout=60)
            if p.returncode != 0 or p.stderr.strip():
                problems.append("groff -Tutf8 at %s columns, %s: %s" % (width, label, short(p.stderr.decode())))
        if shutil.which("man"):
            env = dict(os.environ, LC_ALL="C.UTF-8", MANROFFSEQ="", MANWIDTH="80")
            p = run(["man", "--warnings", "-E", "UTF-8", "-l", path], timeout=60, env=env)
            if p.returncode != 0 or p.stderr.strip():
                problems.append("man --warnings -l %s: %s" % (label, short(p.stderr.decode())))
    check(not problems, "; ".join(problems))


def man_page_sections():
    text = read(MAN)
    heads = re.findall(r'^\.SH\s+"?([^"\n]+)"?\s*$', text, re.M)
    want = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "SETTINGS", "TOKENS", "URLS", "NOTIFICATIONS", "SIGNALS",
            "EXIT STATUS", "FILES", "EXAMPLES", "SEE ALSO"]
    check(heads == want, "sections are %s, not %s" % (heads, want))
    for flag in ("--config", "--check-config", "--online", "--version", "--help"):
        check(flag.replace("-", "\\-") in text, "OPTIONS do not mention %s" % flag)
    for url in ("/healthz", "/metrics", "/customers/", "batchJobStatus", ".json", ".csv", "/static/",
                "/following", "/follow", "/feed.atom"):
        check(url in text, "URLS do not mention %s" % url)


def man_page_documents_every_setting():
    text = read(os.path.join(ROOT, "man", "batchstatus.8"), base=ROOT)
    m = re.search(r"^\.SH SETTINGS$(.*?)^\.SH ", text, re.M | re.S)
    check(m, "no SETTINGS section")
    items = set(re.findall(r"^\.TP\n\.B ([a-z0-9_]+)$", m.group(1), re.M))
    names = config_settings()
    missing = [n for n in names if n not in items]
    check(not missing, "settings of src/config.c not described under SETTINGS: %s" % ", ".join(missing))
    extra = sorted(items - set(names))
    if extra:
        note("the man page describes settings src/config.c does not have (yet?): %s" % ", ".join(extra))


def example_config_has_every_setting():
    text = read(CONF)
    got = [n for n, _ in conf_lines(text)]
    names = config_settings()
    missing = [n for n in names if n not in got]
    check(not missing, "settings of src/config.c missing from the example config: %s" % ", ".join(missing))
    dup = sorted({n for n in got if got.count(n) > 1})
    check(not dup, "listed twice: %s" % ", ".join(dup))
    # Every listed setting has its one-line meaning just above it.
    lines = text.splitlines()
    bare = [lines[i][1:].split(" ")[0] for i in range(len(lines))
            if re.match(r"^#[a-z0-9_]+ = ?", lines[i]) and (i == 0 or not lines[i - 1].startswith("#"))]
    check(not bare, "settings without a comment above them: %s" % ", ".join(bare))
    extra = sorted(set(got) - set(names))
    if extra:
        note("the example config lists settings src/config.c does not have (yet?): %s" % ", ".join(extra))


def _live_config(secret_mode=0o600, base_text=None, extra=None):
    """The installed example with every non-empty default switched on, plus App-only
    credentials and the installed templates; returns the config path."""
    d = tempfile.mkdtemp(prefix="conf-", dir=WORK)
    secret = os.path.join(d, "client-secret")
    with open(secret, "w", encoding="utf-8") as f:
        f.write("not-a-real-secret\n")
    os.chmod(secret, secret_mode)
    text = base_text if base_text is not None else read(CONF)
    wanted = {"tenant_id": "11111111-2222-4333-8444-555555555555",
              "client_id": "66666666-7777-4888-9999-000000000000",
              "client_secret_file": secret,
              "templates_dir": os.path.join(DEST, TEMPLATES)}
    wanted.update(extra or {})

    def on(m):
        name, value = m.group(1), m.group(2)
        if name in wanted:
            return "%s = %s" % (name, wanted[name])
        return "%s = %s" % (name, value) if value.strip() else m.group(0)
    text = re.sub(r"^#([a-z0-9_]+) = ?(.*)$", on, text, flags=re.M)
    path = os.path.join(d, "batchstatus.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith("BATCHSTATUS_")}


def example_config_passes_check_config():
    if not has_check_config():
        note("SKIP example config --check-config: `%s --help` does not mention --check-config yet"
             % os.path.relpath(BIN, ROOT))
        return
    conf = _live_config()
    p = run([os.path.join(DEST, "usr/local/sbin/batchstatus"), "--check-config", "--config", conf],
            timeout=30, env=_clean_env())
    check(p.returncode == 0, "installed batchstatus --check-config --config <example, App-only> exited %d: %s"
          % (p.returncode, short(out(p))))
    shutil.rmtree(os.path.dirname(conf), ignore_errors=True)


def secret_readable_by_others_is_refused():
    if not has_check_config():
        note("SKIP secret mode check: no --check-config yet")
        return
    conf = _live_config(secret_mode=0o644)
    p = run([os.path.join(DEST, "usr/local/sbin/batchstatus"), "--check-config", "--config", conf],
            timeout=30, env=_clean_env())
    check(p.returncode == 2, "a client secret file of mode 0644 gave exit %d, not 2: %s"
          % (p.returncode, short(out(p))))
    shutil.rmtree(os.path.dirname(conf), ignore_errors=True)


class _Authority(http.server.BaseHTTPRequestHandler):
    """A sign-in authority's token endpoint: accepts the secret "good-secret" only."""
    seen = []

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
        _Authority.seen.append((self.path, form))
        if form.get("client_secret") == ["good-secret"] and form.get("grant_type") == ["client_credentials"]:
            code, doc = 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "eyJ0eXAi.fake.token"}
        else:
            code, doc = 401, {"error": "invalid_client", "error_codes": [7000215],
                              "error_description": "AADSTS7000215: Invalid client secret provided. "
                                                   "Ensure the secret being sent in the request is the "
                                                   "client secret value, not the client secret ID."}
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def check_config_online_against_an_authority():
    if not has_check_config():
        note("SKIP --check-config --online: no --check-config yet")
        return
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Authority)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    authority = "http://127.0.0.1:%d" % srv.server_address[1]
    binary = os.path.join(DEST, "usr/local/sbin/batchstatus")
    try:
        for secret, want in (("wrong-secret", 3), ("good-secret", 0)):
            conf = _live_config(extra={"authority_url": authority})
            secret_file = re.search(r"^client_secret_file = (.*)$", open(conf).read(), re.M).group(1)
            with open(secret_file, "w", encoding="utf-8") as f:
                f.write(secret + "\n")
            p = run([binary, "--check-config", "--online", "--config", conf], timeout=30, env=_clean_env())
            shutil.rmtree(os.path.dirname(conf), ignore_errors=True)
            check(p.returncode == want, "with the %s: exit %d, not %d: %s"
                  % (secret, p.returncode, want, short(out(p))))
            if want == 3:
                check("AADSTS7000215" in out(p), "the refusal does not show AADSTS7000215: %s" % short(out(p)))
            check("good-secret" not in out(p) and "eyJ0eXAi" not in out(p), "a secret or token in the output")
        check(_Authority.seen and _Authority.seen[-1][0] == "/11111111-2222-4333-8444-555555555555/oauth2/token",
              "the token request went to %s" % (_Authority.seen[-1][0] if _Authority.seen else "nowhere"))
    finally:
        srv.shutdown()
        srv.server_close()


def installed_binary_uses_installed_templates():
    binary = os.path.join(DEST, "usr/local/sbin/batchstatus")
    env = _clean_env()
    if has_check_config():
        conf = _live_config()
        cmd = [binary, "--check-config", "--config", conf]
    else:
        # Until --check-config exists: the older --check with a static token file.
        note("installed templates checked with --check and a token file (no --check-config yet)")
        d = tempfile.mkdtemp(prefix="conf-", dir=WORK)
        tok = os.path.join(d, "token")
        with open(tok, "w", encoding="utf-8") as f:
            f.write("test-token\n")
        os.chmod(tok, 0o600)
        conf = os.path.join(d, "batchstatus.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write("token_file = %s\ntemplates_dir = %s\n" % (tok, os.path.join(DEST, TEMPLATES)))
        cmd = [binary, "--check", "--config", conf]
    p = run(cmd, timeout=30, env=env, cwd="/")
    check(p.returncode == 0, "%s exited %d: %s" % (" ".join(cmd[1:2]), p.returncode, short(out(p))))
    # ...and the same with templates_dir pointing to nowhere fails: the check is real.
    bad = open(conf, encoding="utf-8").read().replace(os.path.join(DEST, TEMPLATES), os.path.join(WORK, "no-such-dir"))
    with open(conf, "w", encoding="utf-8") as f:
        f.write(bad)
    p = run(cmd, timeout=30, env=env, cwd="/")
    check(p.returncode != 0, "still exit 0 with templates_dir pointing nowhere")
    shutil.rmtree(os.path.dirname(conf), ignore_errors=True)


def version_of_installed_binary():
    p = run([os.path.join(DEST, "usr/local/sbin/batchstatus"), "--version"], timeout=10)
    check(p.returncode == 0 and out(p).startswith("batchstatus/"),
          "--version exited %d: %s" % (p.returncode, short(out(p))))


def uninstall_removes_everything():
    # A tree of its own: the other tests look at DEST.
    shutil.rmtree(DEST_UNINSTALL, ignore_errors=True)
    p = make("install", "DESTDIR=" + DEST_UNINSTALL, "PREFIX=" + PREFIX)
    check(p.returncode == 0, "make install exited %d: %s" % (p.returncode, short(out(p)[-800:])))
    check(files_under(DEST_UNINSTALL), "make install put nothing there")
    p = make("uninstall", "DESTDIR=" + DEST_UNINSTALL, "PREFIX=" + PREFIX)
    check(p.returncode == 0, "make uninstall exited %d: %s" % (p.returncode, short(out(p))))
    left = sorted(files_under(DEST_UNINSTALL))
    check(not left, "left after uninstall: %s" % ", ".join(left))
    dirs = [os.path.relpath(t, DEST_UNINSTALL) for t, _, _ in os.walk(DEST_UNINSTALL)
            if "batchstatus" in os.path.relpath(t, DEST_UNINSTALL)]
    check(not dirs, "directories left after uninstall: %s" % ", ".join(dirs))


def prefix_usr_puts_units_in_lib():
    shutil.rmtree(DEST_USR, ignore_errors=True)
    p = make("install", "DESTDIR=" + DEST_USR, "PREFIX=/usr")
    check(p.returncode == 0, "make install PREFIX=/usr exited %d: %s" % (p.returncode, short(out(p)[-800:])))
    got = files_under(DEST_USR)
    for f in ("lib/systemd/system/batchstatus.service", "lib/systemd/system/batchstatus.socket",
              "usr/sbin/batchstatus", "usr/share/man/man8/batchstatus.8",
              "usr/share/batchstatus/templates/layout.tpl"):
        check(f in got, "%s not installed with PREFIX=/usr (got %s)" % (f, ", ".join(sorted(got))))
    svc = unit_keys(read("lib/systemd/system/batchstatus.service", base=DEST_USR))
    check(svc.get("ExecStart", [""])[0].startswith("/usr/sbin/batchstatus "), "ExecStart is %s" % svc.get("ExecStart"))
    p = make("uninstall", "DESTDIR=" + DEST_USR, "PREFIX=/usr")
    left = sorted(files_under(DEST_USR))
    check(p.returncode == 0 and not left, "make uninstall PREFIX=/usr left %s" % ", ".join(left))


class Installed(Fixture):
    """`make install` into DEST (as nobody when it can), once for the tests of the tree."""
    name = "install"

    def setup(self):
        try:
            install_as_non_root()
            return [("install: make install into DESTDIR as non-root", None)]
        except Failure as e:
            return [("install: make install into DESTDIR as non-root", str(e))]


# Each works on a tree of its own, or none.
for _name, _fn in (("install: make install depends on the build", install_depends_on_build),
                   ("install: make uninstall removes what install put there", uninstall_removes_everything),
                   ("install: PREFIX=/usr puts units in /lib/systemd/system", prefix_usr_puts_units_in_lib)):
    test(name=_name)(_fn)
# They read the tree the Installed fixture made.
for _name, _fn in (
        ("install: the installed tree is exactly the layout, with modes", layout_is_exact),
        ("install: PREFIX paths are substituted (ExecStart, templates, static, man)", paths_are_substituted),
        ("install: units: socket, credentials, hardening", units_have_the_settings),
        ("install: systemd-analyze verify passes on the installed units", units_pass_systemd_analyze_verify),
        ("install: nginx snippet passes what the tested snippet passes", nginx_snippet_matches_the_tested_one),
        ("install: nginx -t accepts the snippets (and their commented examples)", nginx_accepts_the_snippets),
        ("install: man page renders without warnings", man_page_renders_without_warnings),
        ("install: man page has its sections, options and URLs", man_page_sections),
        ("install: man page describes every setting of src/config.c", man_page_documents_every_setting),
        ("install: example config lists every setting of src/config.c", example_config_has_every_setting),
        ("install: example config (App-only) passes --check-config", example_config_passes_check_config),
        ("install: a client secret readable by others is refused (exit 2)", secret_readable_by_others_is_refused),
        ("install: example config --check-config --online: 0, or 3 with the AADSTS code",
         check_config_online_against_an_authority),
        ("install: installed binary runs with the installed templates", installed_binary_uses_installed_templates),
        ("install: installed binary --version", version_of_installed_binary)):
    test("installed", _name)(lambda fixture, fn=_fn: fn())


def main():
    os.makedirs(WORK, exist_ok=True)
    rc = harness.main("install", [Group("installed", Installed)])
    if rc == 0:
        shutil.rmtree(WORK, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
