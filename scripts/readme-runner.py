#!/usr/bin/env python3
"""Runs the README's and docs/' bash examples as a user would paste them, from the repository root.

The pages are read in the order of PAGES (the order a reader follows, and the one whose commands build on each
other). Every ```bash block of those pages must be preceded by a directive line:
  <!-- readme-runner: run -->            run its commands in order
  <!-- readme-runner: after-next -->     run it right after the next block (it shows what that block starts)
  <!-- readme-runner: skip REASON -->    do not run it, and say why
A command that starts a sample host (`dotnet run --project samples/Recsys.Samples.WebApi|Worker …`, optionally
prefixed by VAR=value assignments) is started in the background and awaited on its /health endpoint; a later host on
the same port replaces it. Every other command runs in one bash session (so `recsys() {…}` stays defined) with
`set -e`, and `curl` fails on an HTTP error status. `<run-id>` stands for the newest run id printed so far. The
admin key the README sets (`Recsys__AdminApiKey=secret`) is set for every host. Exit code: 0 when every block ran
and every command succeeded, 1 otherwise (naming the block, line and command).
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# README first, then docs/ in reading order; a page under docs/ that is not listed here fails the runner.
PAGES = ["README.md", "docs/index.md", "docs/development.md", "docs/cli.md", "docs/serving.md", "docs/performance.md",
         "docs/retraining.md", "docs/registry.md", "docs/operations.md", "docs/algorithms.md", "docs/data.md"]
RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}")
HOST = re.compile(r"^((?:[A-Za-z_][A-Za-z0-9_]*=\S+\s+)*)dotnet run (-c Release )?--project samples/(Recsys\.Samples\.(?:WebApi|Worker))\b(.*)$", re.S)


def blocks(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            lang = lines[i][3:].strip()
            start = i
            j = i + 1
            while not lines[j].startswith("```"):
                j += 1
            if lang == "bash":
                directive = None
                k = start - 1
                while k >= 0 and not lines[k].strip():
                    k -= 1
                m = re.match(r"<!-- readme-runner: (run|after-next|skip)\b\s*(.*?)\s*-->", lines[k].strip()) if k >= 0 else None
                if m:
                    directive = (m.group(1), m.group(2))
                yield start + 1, directive, lines[start + 1:j]
            i = j + 1
        else:
            i += 1


def strip_comment(line, quote):
    """Drops a trailing `# comment` outside quotes; returns (code, quote open at the end of the line or None)."""
    previous = " "
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and previous.isspace():
            return line[:i].rstrip(), None
        previous = ch
    return line, quote


def commands(body):
    """Joins continuation lines (a trailing backslash, or a quote still open) and drops comments;
    yields (line number offset, command)."""
    current, first, quote = "", None, None
    for n, line in enumerate(body):
        code, quote = strip_comment(line, quote)
        if not current and not code.strip():
            continue
        if first is None:
            first = n
        if quote is None and code.rstrip().endswith("\\"):
            current += code.rstrip()[:-1] + " "
            continue
        current += code
        if quote is not None:  # a quoted string (a JSON body) goes on to the next line
            current += "\n"
            continue
        yield first, current.strip()
        current, first = "", None


class Runner:
    def __init__(self):
        self.hosts = {}  # port -> Popen
        self.shell = subprocess.Popen(["bash", "--norc", "--noprofile"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True, cwd=ROOT, bufsize=1)
        self.send("set -o pipefail; curl() { command curl -sS --fail-with-body --max-time 300 \"$@\"; local rc=$?; echo; return $rc; }")
        self.last_run_id = None

    def send(self, command):
        marker = f"__readme_runner_{time.time_ns()}__"
        self.shell.stdin.write(f"{command}\necho \"{marker} $?\"\n")
        self.shell.stdin.flush()
        output = []
        for line in self.shell.stdout:
            if line.startswith(marker):
                return int(line.split()[1]), "".join(output)
            output.append(line)
            sys.stdout.write("    " + line)
        raise RuntimeError("the shell ended")

    def run(self, command):
        if "<run-id>" in command:
            if self.last_run_id is None:
                raise RuntimeError("the command needs <run-id> but no run id was printed before it")
            command = command.replace("<run-id>", self.last_run_id)
        host = HOST.match(command)
        if host:
            return self.start_host(host.group(1), host.group(3), host.group(4), command, host.group(2) or "")
        code, output = self.send(command)
        ids = RUN_ID.findall(output)
        if ids:
            self.last_run_id = ids[-1]
        return code

    def start_host(self, assignments, project, arguments, command, configuration=""):
        port = 5001 if project.endswith("Worker") else 5000
        if port in self.hosts:
            self.stop(port)
        env = dict(os.environ, Recsys__AdminApiKey="secret")
        for assignment in assignments.split():
            key, value = assignment.split("=", 1)
            env[key] = value
        log = open(os.path.join(ROOT, "TestResults", f"readme-{project}.log"), "w")
        process = subprocess.Popen(["bash", "-c", f"exec dotnet run {configuration}--project samples/{project}{arguments}"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.hosts[port] = process
        deadline = time.time() + 600
        url = f"http://localhost:{port}/health/ready" if port == 5000 else f"http://localhost:{port}/health"
        while time.time() < deadline:
            if process.poll() is not None:
                print(f"    host exited with {process.returncode}; see TestResults/readme-{project}.log")
                return 1
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        print(f"    {project} ready on port {port}")
                        return 0
            except Exception:
                pass
            time.sleep(2)
        print(f"    {project} not ready on port {port} after 600 s")
        return 1

    def stop(self, port):
        process = self.hosts.pop(port)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def close(self):
        for port in list(self.hosts):
            self.stop(port)
        self.shell.stdin.close()
        self.shell.wait()


def main():
    leftovers = [d for d in ("registry", "recsys-registry") if os.path.exists(os.path.join(ROOT, d))]
    if leftovers:
        print(f"readme-runner: {', '.join(leftovers)} already exist here; the README's examples start from a fresh clone, so move them away first", file=sys.stderr)
        return 1
    os.makedirs(os.path.join(ROOT, "TestResults"), exist_ok=True)
    unlisted = sorted(f"docs/{name}" for name in os.listdir(os.path.join(ROOT, "docs"))
                      if name.endswith(".md") and f"docs/{name}" not in PAGES)
    if unlisted:
        print(f"readme-runner: {', '.join(unlisted)} not in PAGES; add them in reading order", file=sys.stderr)
        return 1
    plan, unmarked = [], []
    for page in PAGES:
        text = open(os.path.join(ROOT, page), encoding="utf-8").read()
        deferred = None
        for line, directive, body in blocks(text):
            where = f"{page} line {line}"
            if directive is None:
                unmarked.append(where)
                continue
            kind, reason = directive
            if kind == "skip":
                print(f"{where}: skipped ({reason})")
                continue
            if kind == "after-next":
                deferred = (where, line, body)
                continue
            plan.append((where, line, body))
            if deferred:
                plan.append(deferred)
                deferred = None
    if unmarked:
        print(f"bash blocks without a readme-runner directive: {', '.join(unmarked)}", file=sys.stderr)
        return 1
    runner = Runner()
    try:
        for where, line, body in plan:
            print(f"{where}: running")
            for offset, command in commands(body):
                print(f"  $ {command}")
                code = runner.run(command)
                if code != 0:
                    print(f"{where.rsplit(' line ', 1)[0]} line {line + offset + 1}: exit code {code}: {command}", file=sys.stderr)
                    return 1
        print(f"readme-runner: {len(plan)} blocks ran")
        return 0
    finally:
        runner.close()


if __name__ == "__main__":
    sys.exit(main())
