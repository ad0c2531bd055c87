import { HOCON_RESERVED_PREFIXES } from './hocon-safe';

/**
 * The credentials bootstrap, run once per cluster by a Job with the ClearML Server image (Python's
 * standard library only). It creates the credentials Secret with fresh random values when the Secret
 * does not exist and never changes an existing one, so credentials survive every later synth and
 * apply. It then copies the listed keys to mirror Secrets in other namespaces (pods can only read
 * Secrets of their own namespace), again only when a mirror is missing.
 *
 * Input (env): BOOTSTRAP_SPEC = {"secret": {"namespace", "name", "labels", "keys": {key: "key"|"secret"}},
 *                                "mirrors": [{"namespace", "name", "labels", "keys": [key, ...]}]}
 */
export const BOOTSTRAP_SCRIPT = String.raw`import base64, json, os, re, secrets, ssl, string, sys, urllib.error, urllib.request

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
KEY_ALPHABET = string.ascii_uppercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits
# ClearML parses CLEARML__SECURE__* values as HOCON: only these read back unchanged (lib/security/hocon-safe.ts).
HOCON_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
HOCON_RESERVED_PREFIXES = (${HOCON_RESERVED_PREFIXES.map((w) => JSON.stringify(w)).join(', ')})


def api(method, path, body=None):
    host = os.environ["KUBERNETES_SERVICE_HOST"]
    host = "[" + host + "]" if ":" in host else host
    url = "https://%s:%s%s" % (host, os.environ["KUBERNETES_SERVICE_PORT"], path)
    with open(SA + "/token") as f:
        token = f.read().strip()
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"})
    ctx = ssl.create_default_context(cafile=SA + "/ca.crt")
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        return json.loads(resp.read().decode())


def read_secret(namespace, name):
    try:
        found = api("GET", "/api/v1/namespaces/%s/secrets/%s" % (namespace, name))
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise
    return {k: base64.b64decode(v).decode() for k, v in (found.get("data") or {}).items()}


def create_secret(target, values):
    body = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": target["name"], "namespace": target["namespace"], "labels": target["labels"]},
            "stringData": values}
    try:
        api("POST", "/api/v1/namespaces/%s/secrets" % target["namespace"], body)
        print("created Secret %s/%s with keys: %s" % (target["namespace"], target["name"], ", ".join(sorted(values))))
    except urllib.error.HTTPError as e:
        if e.code != 409:
            raise
        print("Secret %s/%s was created concurrently: left as it is" % (target["namespace"], target["name"]))


def hocon_safe(value):
    return HOCON_SAFE.match(value) is not None and not value.lower().startswith(HOCON_RESERVED_PREFIXES)


def generate(kind):
    alphabet, length = (KEY_ALPHABET, 30) if kind == "key" else (SECRET_ALPHABET, 64)
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if hocon_safe(value):
            return value


def warn_misread(secret, values):
    for key in sorted(set(secret["keys"]) & set(values)):
        if not hocon_safe(values[key]):
            print("warning: key %s of Secret %s/%s holds a value ClearML may read back changed (it parses it as HOCON); "
                  "use letters and digits only, starting with a letter and not with true/false/null/yes/no/on/off"
                  % (key, secret["namespace"], secret["name"]))


def main():
    spec = json.loads(os.environ["BOOTSTRAP_SPEC"])
    main_secret = spec["secret"]
    values = read_secret(main_secret["namespace"], main_secret["name"])
    if values is None:
        create_secret(main_secret, {key: generate(kind) for key, kind in main_secret["keys"].items()})
        values = read_secret(main_secret["namespace"], main_secret["name"])
    else:
        missing = sorted(set(main_secret["keys"]) - set(values))
        print("Secret %s/%s exists: left unchanged" % (main_secret["namespace"], main_secret["name"]))
        warn_misread(main_secret, values)
        if missing:
            print("warning: it lacks keys %s; the pods that need them will not start" % ", ".join(missing))
    for mirror in spec["mirrors"]:
        lacking = sorted(set(mirror["keys"]) - set(values))
        if lacking:
            raise RuntimeError("Secret %s/%s lacks keys %s, needed in %s/%s" % (
                main_secret["namespace"], main_secret["name"], ", ".join(lacking), mirror["namespace"], mirror["name"]))
        if read_secret(mirror["namespace"], mirror["name"]) is None:
            create_secret(mirror, {key: values[key] for key in mirror["keys"]})
        else:
            print("Secret %s/%s exists: left unchanged" % (mirror["namespace"], mirror["name"]))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print("credentials bootstrap failed: %s" % e, file=sys.stderr)
        sys.exit(1)
`;
