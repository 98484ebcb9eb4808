"""The scale-out recipe's files (deploy/scale_out) without starting anything: nginx.conf is the template's compose
rendering, nginx accepts it, and compose.yaml carries no secret. The running cluster: test_scale_out_cluster.py."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from deploy.scale_out import local

HERE = local.HERE


def test_compose_nginx_conf_is_the_template_rendered():
    assert local.COMPOSE_NGINX_CONF.read_text() == local.render_compose_conf(), (
        "run: python -m deploy.scale_out.local --render-compose"
    )


def test_every_replica_has_the_others_as_backups_and_new_visitors_are_split():
    conf = local.render_nginx_conf(
        [("app1", "h1", 8501), ("app2", "h2", 8502), ("app3", "h3", 8503)],
        listen="8080",
        pid_path="/tmp/p",
        error_log="/tmp/e",
        access_log="/tmp/a",
        temp_dir="/tmp",
    )
    assert "{{" not in conf
    assert not re.search(r"^\s*(ip_hash|hash)\b", conf, re.M), "sticky by cookie, not by client address"
    for name, port in (("app1", 8501), ("app2", 8502), ("app3", 8503)):
        block = re.search(rf"upstream {name} \{{(.*?)\}}", conf, re.S).group(1)
        assert f"server h{name[-1]}:{port} max_fails=1" in block
        assert block.count(" backup;") == 2 and f"h{name[-1]}:{port} backup" not in block
        assert f'"~:{port}$" {name};' in conf
    assert "33.33% app1;" in conf and "33.33% app2;" in conf and "* app3;" in conf
    with pytest.raises(ValueError):
        local.render_nginx_conf([("a", "h", 1), ("b", "h", 1)], listen="1", pid_path="", error_log="", access_log="",
                                temp_dir="")  # fmt: skip


@pytest.mark.skipif(not shutil.which("nginx"), reason="no nginx (.ci/run installs Debian's nginx)")
def test_nginx_accepts_the_compose_conf(tmp_path):
    # Compose's host names do not resolve here: the same file with loopback addresses, run as this machine's user.
    conf = local.COMPOSE_NGINX_CONF.read_text()
    for _, host, port in local.COMPOSE_REPLICAS:
        conf = conf.replace(f"server {host}:{port}", f"server 127.0.0.1:{port}")
    conf = conf.replace("user nginx;", "").replace("/tmp/", f"{tmp_path}/").replace("/dev/stdout", f"{tmp_path}/a")
    (tmp_path / "nginx.conf").write_text(conf)
    done = subprocess.run(
        ["nginx", "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-t"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_compose_file_carries_no_secret_and_the_secret_files_are_ignored():
    compose = (HERE / "compose.yaml").read_text()
    assert "env_file: app.env" in compose and "env_file: postgres.env" in compose
    assert not re.search(r"postgresql://[^:/@\s]+:[^@\s]+@", compose), "a password in compose.yaml"
    assert not re.search(r"(PASSWORD|SECRET)\w*\s*[:=]\s*\S", compose), "a secret's value in compose.yaml"
    ignored = (HERE / ".gitignore").read_text().split()
    assert {"app.env", "postgres.env"} <= set(ignored)
    assert "deploy/scale_out/*.env" in (HERE / "Dockerfile.dockerignore").read_text()
