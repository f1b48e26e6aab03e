#!/usr/bin/env python3
"""Offline checks of sparktrain's rendered deploy artefacts with the real clients.

usage: validate_artefacts.py RENDERED_DIR TARGET...

Prints one line per check: PASS|FAIL|SKIP <name>: <detail>. A FAIL names the file and the field.
Nothing reaches a cloud: the AWS CLI is pointed at http://127.0.0.1:9 (nothing listens), gcloud at a
loopback stand-in that answers cluster lookups and refuses every write.
"""
import ast
import glob
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile

import yaml  # python3-yaml (Debian's, imported before google-cloud-cli's lib/ joins sys.path)

try:
    import jsonschema  # python3-jsonschema: before google-cloud-cli's older bundled copy can shadow it
except ImportError:
    jsonschema = None

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
TARGETS = sys.argv[2:]
DEAD_ENDPOINT = "http://127.0.0.1:9"
FAILED = []


def say(status, name, detail):
    print(f"{status} {name}: {detail}", flush=True)
    if status == "FAIL":
        FAILED.append(name)


def verdict(name, errors, passed):
    """FAIL naming every error, or PASS with what was checked."""
    if errors:
        say("FAIL", name, "; ".join(errors))
    else:
        say("PASS", name, passed)


def load_yaml(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    return docs


# ---------------------------------------------------------------- generic
def check_scripts(target):
    for sh in sorted(glob.glob(os.path.join(ROOT, target, "**", "*.sh"), recursive=True)):
        r = subprocess.run(["bash", "-n", sh], capture_output=True, text=True)
        rel = os.path.relpath(sh, ROOT)
        if r.returncode == 0:
            say("PASS", f"{target} bash -n {rel}", "parses")
        else:
            say("FAIL", f"{target} bash -n {rel}", r.stderr.strip())


def check_dags(target):
    with open(os.path.join(HERE, "airflow-operators.json")) as f:
        sigs = json.load(f)
    base = set(sigs["BaseOperator"]["params"])
    for dag in sorted(glob.glob(os.path.join(ROOT, target, "airflow", "*.py"))):
        rel = os.path.relpath(dag, ROOT)
        try:
            py_compile.compile(dag, doraise=True, cfile=os.path.join(tempfile.mkdtemp(), "x.pyc"))
        except py_compile.PyCompileError as e:
            say("FAIL", f"{target} airflow {rel}", f"does not compile: {e.msg}")
            continue
        tree = ast.parse(open(dag).read())
        imported = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    imported[a.asname or a.name] = f"{node.module}.{a.name}"
        problems, calls = [], 0
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in imported:
                full = imported[node.func.id]
                if full not in sigs["operators"]:
                    if node.func.id != "DAG":
                        problems.append(f"{node.func.id} ({full}) is not a vendored provider operator")
                    continue
                calls += 1
                spec = sigs["operators"][full]
                allowed = set(spec["params"]) | base | set(sigs.get(spec.get("base", ""), {}).get("params", []))
                given = {k.arg for k in node.keywords if k.arg}
                for k in sorted(given - allowed):
                    problems.append(f"{node.func.id}: unknown argument '{k}' (line {node.lineno}); "
                                    f"allowed: {sorted(set(spec['params']))}")
                for k in spec.get("required", []):
                    if k not in given:
                        problems.append(f"{node.func.id}: required argument '{k}' missing (line {node.lineno})")
                # json.loads(...) literals must be JSON
                for k in node.keywords:
                    v = k.value
                    if isinstance(v, ast.Call) and getattr(v.func, "attr", "") == "loads":
                        try:
                            json.loads(v.args[0].value)
                        except (ValueError, AttributeError, IndexError) as e:
                            problems.append(f"{node.func.id}.{k.arg}: embedded JSON does not parse: {e}")
        if problems:
            say("FAIL", f"{target} airflow {rel}", "; ".join(problems))
        elif calls == 0:
            say("FAIL", f"{target} airflow {rel}", "no provider operator is called")
        else:
            say("PASS", f"{target} airflow {rel}",
                f"compiles; {calls} operator call(s) match the provider signatures ({sigs['source']})")


# ---------------------------------------------------------------- AWS
def aws_cli():
    for c in ("/usr/bin/aws", shutil.which("aws")):
        if c and os.access(c, os.X_OK):
            v = subprocess.run([c, "--version"], capture_output=True, text=True)
            if v.stdout.startswith("aws-cli/2") or v.stderr.startswith("aws-cli/2"):
                return c, (v.stdout or v.stderr).split()[0]
    return None, None


def run_aws_script(target, script, extra_env=None):
    cli, version = aws_cli()
    name = f"{target} aws {os.path.basename(script)}"
    if not cli:
        say("SKIP", name, "AWS CLI v2 not installed (apt-get install awscli)")
        return
    bindir = tempfile.mkdtemp()
    os.symlink(cli, os.path.join(bindir, "aws"))
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""), AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
               AWS_SECRET_ACCESS_KEY="dummy", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard", AWS_PAGER="")
    env.update(extra_env or {})
    r = subprocess.run(["bash", script, "--endpoint-url", DEAD_ENDPOINT, "--cli-connect-timeout", "1"],
                       capture_output=True, text=True, env=env, timeout=120)
    out = (r.stdout + r.stderr).strip()
    if r.returncode == 255 and "Could not connect to the endpoint URL" in out:
        say("PASS", name, f"{version} accepted the input (exit 255 at the unreachable endpoint)")
    else:
        say("FAIL", name, f"exit {r.returncode}: {out.splitlines()[-1] if out else ''} | {' '.join(out.splitlines()[:3])}")


def botocore_model(service):
    try:
        import botocore.loaders
        import botocore.model
    except ImportError:
        return None
    loader = botocore.loaders.Loader()
    return botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service_name=service)


def shape_errors(shape, value, path, errors):
    """Structure members known, required present, enums and types right: what botocore's own
    ParamValidator checks, plus enums (which it does not)."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected an object ({shape.name})")
            return
        members = shape.members
        for k in value:
            if k not in members:
                errors.append(f"{path}.{k}: unknown field; allowed: {sorted(members)}")
        for k in shape.required_members:
            if k not in value and not members[k].metadata.get("idempotencyToken") \
                    and not getattr(members[k], "serialization", {}).get("location") == "uri":
                errors.append(f"{path}.{k}: required field missing")
        for k, v in value.items():
            if k in members:
                shape_errors(members[k], v, f"{path}.{k}", errors)
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected a list")
            return
        for i, v in enumerate(value):
            shape_errors(shape.member, v, f"{path}[{i}]", errors)
    elif t == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected a map")
            return
        for k, v in value.items():
            shape_errors(shape.value, v, f"{path}.{k}", errors)
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected a string, found {type(value).__name__}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: '{value}' is not one of {shape.enum}")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: expected an integer")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected true/false")


def check_against(target, service, shape_path, file, value_of=lambda v: v, label=None):
    model = botocore_model(service)
    name = f"{target} botocore {label or os.path.basename(file)}"
    if model is None:
        say("SKIP", name, "botocore not installed (apt-get install python3-botocore)")
        return
    op, member = shape_path
    shape = model.operation_model(op).input_shape
    if member:
        shape = shape.members[member]
    with open(file) as f:
        value = value_of(json.load(f))
    errors = []
    shape_errors(shape, value, os.path.relpath(file, ROOT), errors)
    import botocore
    verdict(name, errors, f"matches {service} {op}{'.' + member if member else ''} in botocore {botocore.__version__}'s model")


def check_emr_cli_shapes(target, d):
    """The CLI's own JSON (steps with Type: Spark, instance groups) is not the API shape; check its enums."""
    model = botocore_model("emr")
    if model is None:
        say("SKIP", f"{target} botocore enums", "botocore not installed (apt-get install python3-botocore)")
        return
    action = model.shape_for("ActionOnFailure").enum
    roles = model.shape_for("InstanceRoleType").enum
    errors = []
    for f in ("steps.json", "steps-transient.json"):
        for i, s in enumerate(json.load(open(os.path.join(d, f)))):
            if s.get("ActionOnFailure") not in action:
                errors.append(f"emr/{f}[{i}].ActionOnFailure: '{s.get('ActionOnFailure')}' is not one of {action}")
            if s.get("Type") not in ("Spark", "CUSTOM_JAR", "STREAMING", "HIVE", "PIG", "IMPALA"):
                errors.append(f"emr/{f}[{i}].Type: '{s.get('Type')}' is not a step type")
    for i, g in enumerate(json.load(open(os.path.join(d, "instance-groups.json")))):
        if g.get("InstanceGroupType") not in roles:
            errors.append(f"emr/instance-groups.json[{i}].InstanceGroupType: '{g.get('InstanceGroupType')}' is not one of {roles}")
    verdict(f"{target} botocore enums", errors, "ActionOnFailure and InstanceGroupType are in the EMR model's enums")


SECURITY_KEYS = {
    "EncryptionConfiguration": {
        "EnableInTransitEncryption": None, "EnableAtRestEncryption": None,
        "InTransitEncryptionConfiguration": {"TLSCertificateConfiguration": {
            "CertificateProviderType": None, "S3Object": None, "CertificateProviderClass": None}},
        "AtRestEncryptionConfiguration": {
            "S3EncryptionConfiguration": {"EncryptionMode": None, "AwsKmsKey": None, "Overrides": None},
            "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": None, "AwsKmsKey": None,
                                                 "EnableEbsEncryption": None, "CustomProviderLocation": None,
                                                 "CustomProviderClass": None}}},
    "AuthenticationConfiguration": None, "AuthorizationConfiguration": None,
    "InstanceMetadataServiceConfiguration": None}


def keys_errors(spec, value, path, errors):
    if not isinstance(value, dict):
        return
    for k, v in value.items():
        if k not in spec:
            errors.append(f"{path}.{k}: unknown field; allowed: {sorted(spec)}")
        elif isinstance(spec[k], dict):
            keys_errors(spec[k], v, f"{path}.{k}", errors)


def check_security_configuration(target, d):
    f = os.path.join(d, "security-configuration.json")
    v = json.load(open(f))
    errors = []
    keys_errors(SECURITY_KEYS, v, "emr/security-configuration.json", errors)
    enc = v.get("EncryptionConfiguration", {})
    if enc.get("EnableInTransitEncryption") is not True or enc.get("EnableAtRestEncryption") is not True:
        errors.append("emr/security-configuration.json: in-transit and at-rest encryption must both be on")
    mode = enc.get("AtRestEncryptionConfiguration", {}).get("S3EncryptionConfiguration", {}).get("EncryptionMode")
    if mode not in ("SSE-S3", "SSE-KMS", "CSE-KMS", "CSE-Custom"):
        errors.append(f"emr/security-configuration.json...EncryptionMode: '{mode}' is not an S3 encryption mode")
    verdict(f"{target} security configuration", errors, "known fields (EMR's documented security configuration); "
        "encryption at rest (SSE-KMS, local disks) and in transit on")


def check_iam_policy(target, f):
    p = json.load(open(f))
    errors = []
    if p.get("Version") != "2012-10-17":
        errors.append("Version must be 2012-10-17")
    for i, s in enumerate(p.get("Statement", [])):
        for k in s:
            if k not in ("Sid", "Effect", "Action", "Resource", "Condition"):
                errors.append(f"Statement[{i}].{k}: unknown field")
        res = s.get("Resource")
        for r in (res if isinstance(res, list) else [res]):
            if r in ("*", "arn:aws:s3:::*") or (isinstance(r, str) and r.startswith("arn:aws:s3:::*")):
                errors.append(f"Statement[{i}].Resource: '{r}' is not least privilege")
        for a in (s.get("Action") or []):
            if a.endswith(":*") or a == "*":
                errors.append(f"Statement[{i}].Action: '{a}' is not least privilege")
    verdict(f"{target} iam {os.path.relpath(f, ROOT)}", errors, f"{len(p['Statement'])} statements, no wildcards")


# ---------------------------------------------------------------- Google Cloud
def gcloud_messages():
    sdk = "/usr/lib/google-cloud-sdk"
    if not os.path.isdir(sdk):
        g = shutil.which("gcloud")
        if not g:
            return None, None
        sdk = os.path.dirname(os.path.dirname(os.path.realpath(g)))
    for p in (os.path.join(sdk, "lib"), os.path.join(sdk, "lib", "third_party")):
        if p not in sys.path:
            sys.path.insert(0, p)
    try:
        from apitools.base.py import encoding
        from googlecloudsdk.generated_clients.apis.dataproc.v1 import dataproc_v1_messages as m
    except ImportError:
        return None, None
    return m, encoding


def unrecognized(msg, path, errors):
    """Every field apitools could not map, recursively: unknown fields are errors."""
    from apitools.base.protorpclite import messages
    for name in msg.all_unrecognized_fields():
        errors.append(f"{path}.{name}: unknown field of {type(msg).__name__}")
    for f in msg.all_fields():
        v = getattr(msg, f.name)
        if isinstance(f, messages.MessageField) and v is not None:
            for i, item in enumerate(v if f.repeated else [v]):
                if isinstance(item, messages.Message):
                    unrecognized(item, f"{path}.{f.name}" + (f"[{i}]" if f.repeated else ""), errors)


def check_message(target, file, message_name, value=None):
    m, encoding = gcloud_messages()
    name = f"{target} dataproc-v1 {os.path.relpath(file, ROOT)}"
    if m is None:
        say("SKIP", name, "google-cloud-cli not installed (apt-get install google-cloud-cli)")
        return None
    value = value if value is not None else load_yaml(file)[0]
    errors = []
    try:
        msg = encoding.PyValueToMessage(getattr(m, message_name), value)
        unrecognized(msg, message_name, errors)
    except Exception as e:  # apitools raises several kinds for wrong types
        errors.append(f"{message_name}: {e}")
    verdict(name, errors, f"every field is a field of google-cloud-cli's Dataproc v1 {message_name}")
    return value


class _Dataproc:
    """A loopback stand-in for the Dataproc API: answers a cluster lookup (jobs submit reads the cluster
    first), records every request body and refuses every write with 400, so nothing is ever created."""
    server = None
    bodies = []

    @classmethod
    def url(cls):
        if cls.server is None:
            import http.server
            import threading

            class H(http.server.BaseHTTPRequestHandler):
                def _reply(self, code, obj):
                    data = json.dumps(obj).encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

                def do_GET(self):
                    if "/clusters/" in self.path:
                        name = self.path.split("/clusters/")[1].split("?")[0]
                        self._reply(200, {"clusterName": name, "clusterUuid": "00000000-0000-0000-0000-000000000000",
                                          "config": {"configBucket": "sparktrain-validate"}, "status": {"state": "RUNNING"}})
                    else:
                        self._reply(404, {"error": {"code": 404, "message": "not found (sparktrain validate)"}})

                def do_POST(self):
                    n = int(self.headers.get("Content-Length") or 0)
                    _Dataproc.bodies.append((self.path, self.rfile.read(n).decode()))
                    self._reply(400, {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                                                "message": "refused by sparktrain deploy validate (loopback stand-in)"}})

                def log_message(self, *a):
                    pass

            cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{cls.server.server_address[1]}/"


def gcloud_body(target, script, label, extra_env=None):
    """Runs a gcloud script against the dead endpoint with --log-http; the first request body."""
    g = shutil.which("gcloud")
    name = f"{target} gcloud {label}"
    if not g:
        say("SKIP", name, "gcloud not installed (apt-get install google-cloud-cli)")
        return None
    cfg = tempfile.mkdtemp()
    tok = os.path.join(cfg, "token")
    open(tok, "w").write("dummy-token\n")
    env = dict(os.environ, CLOUDSDK_CONFIG=cfg, CLOUDSDK_API_ENDPOINT_OVERRIDES_DATAPROC=_Dataproc.url(),
               CLOUDSDK_CORE_DISABLE_PROMPTS="1", CLOUDSDK_CORE_DISABLE_USAGE_REPORTING="1",
               CLOUDSDK_METRICS_ENVIRONMENT="sparktrain-validate", **(extra_env or {}))
    r = subprocess.run(["bash", script, "--access-token-file", tok, "--log-http"], capture_output=True, text=True,
                       env=env, timeout=180)
    out = r.stdout + r.stderr
    if "== body start ==" not in out:
        say("FAIL", name, f"gcloud sent no request (exit {r.returncode}): " + " ".join(out.strip().splitlines()[-3:]))
        return None
    for block in out.split("==== request start ====")[1:]:
        body = block.split("== body start ==", 1)[1].split("== body end ==", 1)[0].strip() \
            if "== body start ==" in block else ""
        if body:
            uri = [l for l in block.splitlines() if l.startswith("uri: ")][0][5:]
            return uri, json.loads(body)
    say("FAIL", name, "gcloud sent no request with a body")
    return None


def check_dataproc(target, d):
    tmpl = check_message(target, os.path.join(d, "workflow-template.yaml"), "WorkflowTemplate")
    job = check_message(target, os.path.join(d, "job.yaml"), "Job")
    sent = gcloud_body(target, os.path.join(d, "instantiate.sh"), "workflow-templates instantiate-from-file")
    if sent and tmpl is not None:
        uri, body = sent
        diff = [k for k in tmpl if body.get(k) != tmpl[k]]
        if "workflowTemplates:instantiateInline" not in uri or diff:
            say("FAIL", f"{target} gcloud workflow-templates instantiate-from-file",
                f"request {uri} differs from workflow-template.yaml at {diff}")
        else:
            say("PASS", f"{target} gcloud workflow-templates instantiate-from-file",
                f"the request gcloud POSTed to a loopback stand-in ({uri.split('?')[0].split('/', 3)[3]}) is the template")
    sent = gcloud_body(target, os.path.join(d, "submit.sh"), "jobs submit spark", {"CLUSTER": "sparktrain-validate"})
    if sent:
        uri, body = sent
        errors = []
        check_message(target + " (sent by jobs submit spark)", os.path.join(d, "submit.sh"), "SubmitJobRequest", body)
        spark = body.get("job", {}).get("sparkJob", {})
        if job is not None:
            want = job["sparkJob"]
            for k in ("mainClass", "jarFileUris", "properties"):
                if spark.get(k) != want.get(k):
                    errors.append(f"sparkJob.{k} differs from job.yaml")
            if [a for a in spark.get("args", []) if a != "--date" and "{{" not in a] != \
                    [a for a in want["args"] if a != "--date" and "{{" not in a]:
                errors.append("sparkJob.args differ from job.yaml")
        verdict(f"{target} gcloud jobs submit spark", errors, "the request gcloud would POST carries job.yaml's "
            "main class, jar, arguments and every Spark property")


def check_dataproc_serverless(target, d):
    batch = check_message(target, os.path.join(d, "batch.yaml"), "Batch")
    sent = gcloud_body(target, os.path.join(d, "submit.sh"), "batches submit spark")
    if sent and batch is not None:
        uri, body = sent
        check_message(target + " (sent by batches submit spark)", os.path.join(d, "submit.sh"), "Batch", body)
        errors = []
        for path in (("runtimeConfig", "version"), ("runtimeConfig", "properties"), ("sparkBatch", "mainClass"),
                     ("sparkBatch", "jarFileUris"), ("sparkBatch", "args"),
                     ("environmentConfig", "executionConfig", "kmsKey"),
                     ("environmentConfig", "executionConfig", "serviceAccount")):
            a, b = body, batch
            for p in path:
                a, b = (a or {}).get(p), (b or {}).get(p)
            if a != b:
                errors.append(".".join(path) + f" sent {a!r}, batch.yaml has {b!r}")
        verdict(f"{target} gcloud batches submit spark", errors, "the request gcloud would POST matches batch.yaml "
            f"(runtime {body.get('runtimeConfig', {}).get('version')}, CMEK, service account, properties)")


def check_iam_bindings(target, f):
    p = json.load(open(f))
    errors = []
    for i, b in enumerate(p["bindings"]):
        if b["role"] in ("roles/owner", "roles/editor", "roles/storage.admin", "roles/storage.objectAdmin"):
            errors.append(f"bindings[{i}].role: '{b['role']}' is not least privilege")
        if b["resource"].startswith("gs://") and "condition" not in b:
            errors.append(f"bindings[{i}]: a bucket role without a prefix condition")
    verdict(f"{target} iam {os.path.relpath(f, ROOT)}", errors, f"{len(p['bindings'])} bindings, bucket roles limited to prefixes")


# ---------------------------------------------------------------- Kubernetes
def strict(schema):
    """The CRD's schema with unknown fields rejected (as the API server does with strict field validation)."""
    if isinstance(schema, dict):
        s = {k: strict(v) for k, v in schema.items()}
        if s.get("type") == "object" and "properties" in s and "additionalProperties" not in s \
                and not s.get("x-kubernetes-preserve-unknown-fields"):
            s["additionalProperties"] = False
        return s
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def check_crd(target, d):
    crds = os.environ.get("SPARKTRAIN_SPARK_OPERATOR_CRDS")
    if jsonschema is None:
        say("SKIP", f"{target} spark-operator CRDs", "python3-jsonschema not installed (apt-get install python3-jsonschema)")
        return
    if not crds or not os.path.isdir(crds):
        say("SKIP", f"{target} spark-operator CRDs", "set SPARKTRAIN_SPARK_OPERATOR_CRDS to the config/crd/bases "
            "directory of kubeflow/spark-operator (v2.x); it is not on Maven Central, npm or apt, so it is not vendored")
        return
    for file, kind in (("spark-application.yaml", "SparkApplication"),
                       ("scheduled-spark-application.yaml", "ScheduledSparkApplication")):
        plural = kind.lower() + "s"
        crd = load_yaml(os.path.join(crds, f"sparkoperator.k8s.io_{plural}.yaml"))[0]
        obj = load_yaml(os.path.join(d, file))[0]
        version = obj["apiVersion"].split("/")[1]
        vs = [v for v in crd["spec"]["versions"] if v["name"] == version]
        name = f"{target} crd {file}"
        if not vs:
            say("FAIL", name, f"apiVersion {obj['apiVersion']} is not served by the CRD")
            continue
        schema = strict(vs[0]["schema"]["openAPIV3Schema"])
        errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(obj), key=lambda e: [str(p) for p in e.absolute_path])
        if errors:
            say("FAIL", name, "; ".join(f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
                                         for e in errors[:10]))
        else:
            say("PASS", name, f"valid against {kind} {version} openAPIV3Schema (unknown fields rejected), "
                "python3-jsonschema")


# ---------------------------------------------------------------- standalone
def check_systemd(target, d):
    sa = shutil.which("systemd-analyze")
    units = sorted(glob.glob(os.path.join(d, "*.service")) + glob.glob(os.path.join(d, "*.timer")))
    if not sa:
        say("SKIP", f"{target} systemd-analyze", "systemd-analyze not installed (apt-get install systemd)")
        return
    r = subprocess.run([sa, "verify", "--man=no"] + units, capture_output=True, text=True)
    out = "\n".join(l for l in (r.stdout + r.stderr).splitlines()
                    if "sparktrain" in l or "Unknown" in l or "Invalid" in l or "Failed" in l)
    if r.returncode == 0 and not out:
        say("PASS", f"{target} systemd-analyze verify", ", ".join(os.path.basename(u) for u in units))
    else:
        say("FAIL", f"{target} systemd-analyze verify", (out or r.stderr).strip().replace("\n", " | "))
    for t in glob.glob(os.path.join(d, "*.timer")):
        cal = [l.split("=", 1)[1].strip() for l in open(t) if l.startswith("OnCalendar=")][0]
        r = subprocess.run([sa, "calendar", cal], capture_output=True, text=True)
        if r.returncode == 0:
            nxt = [l.strip() for l in r.stdout.splitlines() if "Next elapse" in l]
            say("PASS", f"{target} systemd-analyze calendar", f"'{cal}': {nxt[0] if nxt else 'parses'}")
        else:
            say("FAIL", f"{target} systemd-analyze calendar", f"'{cal}': {r.stderr.strip()}")


def main():
    for t in TARGETS:
        d = os.path.join(ROOT, t)
        if not os.path.isdir(d):
            say("FAIL", t, f"{d} was not rendered")
            continue
        check_scripts(t)
        check_dags(t)
        if t == "standalone":
            check_systemd(t, d)
        elif t == "emr":
            for s in ("create-cluster.sh", "create-security-configuration.sh"):
                run_aws_script(t, os.path.join(d, s))
            run_aws_script(t, os.path.join(d, "add-steps.sh"), {"CLUSTER_ID": "j-2AXXXXXXGAPLF"})
            check_against(t, "emr", ("AddJobFlowSteps", "Steps"), os.path.join(d, "steps-api.json"))
            check_against(t, "emr", ("RunJobFlow", "Configurations"), os.path.join(d, "configurations.json"))
            check_emr_cli_shapes(t, d)
            check_security_configuration(t, d)
            check_iam_policy(t, os.path.join(d, "iam-policy.json"))
        elif t == "emr-serverless":
            run_aws_script(t, os.path.join(d, "start-job-run.sh"))
            check_against(t, "emr-serverless", ("StartJobRun", None), os.path.join(d, "start-job-run.json"))
            check_iam_policy(t, os.path.join(d, "iam-policy.json"))
        elif t == "dataproc":
            check_dataproc(t, d)
            check_iam_bindings(t, os.path.join(d, "iam-bindings.json"))
        elif t == "dataproc-serverless":
            check_dataproc_serverless(t, d)
            check_iam_bindings(t, os.path.join(d, "iam-bindings.json"))
        elif t == "kubernetes":
            check_crd(t, d)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
