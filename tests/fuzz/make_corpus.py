#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Seeds are hand-made samples (below) plus, when the JS SDK captures are at hand
(/work/shared/reference/sdk-captures or $BULKD_SDK_CAPTURES), the requests and responses in them,
converted to each target's input format (see the comment at the top of each fuzz_*.cpp). The
output is committed; run this again only to regenerate it. Files named regression-* are inputs
that crashed a target once (each also has a unit test); they are added by hand and kept."""

import hashlib
import json
import os
import re
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
root = here.parent.parent
corpus = here / "corpus"
captures = Path(os.environ.get("BULKD_SDK_CAPTURES", "/work/shared/reference/sdk-captures"))


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def sel(n, text):
    return bytes([n]) + (text.encode() if isinstance(text, str) else text)


def response_text(status, headers, body):
    return f"{status}\n" + "".join(f"{k}: {v}\n" for k, v in headers) + "\n" + body


# --- the SDK captures: (request, response) pairs --------------------------------------------------

def parse_http(block):
    head, _, body = block.partition("\r\n\r\n")
    lines = head.split("\r\n")
    return lines[0], [tuple(x.split(": ", 1)) for x in lines[1:] if ": " in x], body


def capture_pairs():
    if not captures.is_dir():
        return []
    pairs = []
    for f in sorted(captures.glob("*.txt")):
        text = f.read_bytes().decode(errors="replace")
        parts = re.split(r"\n?======== #\d+ (>>>|<<<)[^\n]*========\n", text)
        pending = None
        for i in range(1, len(parts) - 1, 2):
            block = parts[i + 1].split("\n########")[0]
            if parts[i] == ">>>":
                pending = parse_http(block)
            elif pending is not None:
                pairs.append((pending, parse_http(block)))
                pending = None
    return pairs


def emulator_request(line, headers, body):
    method, target, _ = line.split(" ", 2)
    target = target.replace("/capdb", "/db").replace("/colls/cc", "/colls/c").replace("/colls/cf", "/colls/c")
    body = body.replace('"capdb"', '"db"')
    skip = {"authorization", "host", "x-ms-date", "content-length", "user-agent", "x-ms-useragent",
            "connection", "accept", "cache-control"}
    kept = [(k, v) for k, v in headers if k.lower() not in skip]
    return f"{method} {target}\n" + "".join(f"{k}: {v}\n" for k, v in kept) + "\n" + body


def from_captures():
    for (rline, rheaders, rbody), (sline, sheaders, sbody) in capture_pairs():
        method, target, _ = rline.split(" ", 2)
        status = int(sline.split(" ")[1])
        hdr = dict((k.lower(), v) for k, v in rheaders)
        resp = response_text(status, [(k, v) for k, v in sheaders if k.lower() != "content-length"], sbody)
        seed("fuzz_emulator", emulator_request(rline, rheaders, rbody))
        if status >= 400:
            seed("fuzz_cosmos", sel(4, resp))
        elif target == "/":
            seed("fuzz_cosmos", sel(0, sbody))
        elif target.endswith("/pkranges"):
            seed("fuzz_cosmos", sel(1, resp))
        elif hdr.get("x-ms-cosmos-is-batch-request", "").lower() == "true":
            try:
                n = len(json.loads(rbody))
            except ValueError:
                n = 1
            seed("fuzz_cosmos", sel(3, bytes([n]) + resp.encode()))
        elif method == "GET" and target.endswith("/docs"):
            seed("fuzz_cosmos", sel(2, resp))
        elif "/colls/" in target and target.count("/") == 4:
            seed("fuzz_cosmos", sel(5, sbody))
        if hdr.get("content-type", "").startswith("application/query+json"):
            q = json.loads(rbody)
            seed("fuzz_sql", q["query"] + "\n@@\n" + json.dumps(q.get("parameters", [])))
        if method == "PATCH":
            seed("fuzz_patch", rbody)
        for k, v in sheaders:
            if k.lower() == "x-ms-session-token":
                seed("fuzz_cosmos", sel(6, sel(1, v)))


# --- hand-made seeds ------------------------------------------------------------------------------

def cosmos_seeds():
    seed("fuzz_cosmos", sel(0, json.dumps({
        "id": "acct", "writableLocations": [{"name": "West US", "databaseAccountEndpoint": "https://acct-westus.documents.azure.com:443/"}],
        "readableLocations": [{"name": "West US", "databaseAccountEndpoint": "https://acct-westus.documents.azure.com:443/"},
                              {"name": "East US", "databaseAccountEndpoint": "https://acct-eastus.documents.azure.com:443/"}],
        "userConsistencyPolicy": {"defaultConsistencyLevel": "Session"}})))
    ranges = {"_rid": "gAABAIAAAAE=", "PartitionKeyRanges": [
        {"id": "1", "minInclusive": "", "maxExclusive": "7F", "parents": ["0"]},
        {"id": "2", "minInclusive": "7F", "maxExclusive": "FF", "parents": ["0"]}], "_count": 2}
    seed("fuzz_cosmos", sel(1, response_text(200, [("etag", '"12"'), ("x-ms-request-charge", "1")], json.dumps(ranges))))
    seed("fuzz_cosmos", sel(1, response_text(304, [("etag", '"12"')], "")))
    seed("fuzz_cosmos", sel(2, response_text(200, [("etag", '"57"'), ("x-ms-session-token", "0:1#57#3=50"),
                                                   ("x-ms-continuation", "abc"), ("x-ms-request-charge", "2.5")],
                                             '{"_rid":"x","Documents":[{"id":"a","_lsn":55,"pk":1},{"id":"b","_lsn":57}],"_count":2}')))
    seed("fuzz_cosmos", sel(2, response_text(200, [], '{"Documents":[1,"x",null,[2]],"_count":4}')))
    seed("fuzz_cosmos", sel(3, bytes([3]) + response_text(207, [("x-ms-activity-id", "a")], json.dumps([
        {"statusCode": 201, "requestCharge": 5.1, "eTag": '"e1"', "resourceBody": {"id": "1", "pk": "a"}},
        {"statusCode": 429, "subStatusCode": 3200, "retryAfterMilliseconds": 20},
        {"statusCode": 424}])).encode()))
    seed("fuzz_cosmos", sel(4, response_text(429, [("x-ms-substatus", "3200"), ("x-ms-retry-after-ms", "15"),
                                                   ("x-ms-activity-id", "5e4d"), ("x-ms-request-charge", "0.4")],
                                             '{"code":"TooManyRequests","message":"Request rate is large"}')))
    seed("fuzz_cosmos", sel(4, response_text(410, [("x-ms-substatus", "1002")], '{"code":"Gone","message":"split"}')))
    seed("fuzz_cosmos", sel(4, response_text(503, [("Retry-After", "2")], "<html>down</html>")))
    seed("fuzz_cosmos", sel(5, '{"id":"c","_rid":"gAABAIAAAAE=","partitionKey":{"paths":["/pk"],"kind":"Hash","version":2},"defaultTtl":-1}'))
    seed("fuzz_cosmos", sel(5, '{"id":"c","_rid":"gAABAIAAAAE=","partitionKey":{"paths":["/pk","/a/b","/\\"x y\\""],"kind":"MultiHash","version":2}}'))
    seed("fuzz_cosmos", sel(5, '{"id":"c","_rid":"gAABAIAAAAE=","partitionKey":{"paths":["/pk"],"kind":"Hash"}}'))
    for which, text in [
        (0, "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=a2V5;"),
        (0, " accountendpoint = http://127.0.0.1:8081 ; ACCOUNTKEY=C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==;DisableServerCertificateValidation=True"),
        (1, "0:1#57#3=50#4=51,1:-1#9"), (1, "2:123"),
        (2, "gAABAA=="), (2, "gAABAIAAAAE="), (2, "gAABAIAAAAEBAAAAAAAAAA=="),
        (3, '["a"]'), (3, '[1.5,null,true,{}]'), (3, "[]"), (3, '["\\u00e9\\ud83d\\ude00"]'),
        (4, "/pk"), (4, "/a/'b/c'/\"d\\\"e\""),
        (5, "/dbs/db/colls/c/docs/id%20x?x=1"), (5, "/dbs/gAABAA==/colls/gAABAIAAAAE=/docs"), (5, "/"),
        (6, "Mon, 15 Jan 2024 10:30:00 GMT"), (6, "sat, 1 feb 2025 00:00:00 gmt"),
        (7, "type%3Dmaster%26ver%3D1.0%26sig%3D6Fsdzb9JGPJURLym9geZSbNw%2FQzu%2BV551W8eY5FrYfk%3D"),
        (7, "type=aad&ver=1.0&sig=eyJ0eXAi"),
    ]:
        seed("fuzz_cosmos", sel(6, sel(which, text)))


def keyvault_seeds():
    key = {"key": {"kid": "https://myvault.vault.azure.net/keys/k1/0123456789abcdef0123456789abcdef", "kty": "RSA",
                   "key_ops": ["encrypt", "decrypt"], "n": "AQAB", "e": "AQAB"},
           "attributes": {"enabled": True, "created": 1700000000, "updated": 1700000001, "recoveryLevel": "Recoverable+Purgeable",
                          "recoverableDays": 90, "exportable": False},
           "tags": {"team": "x"}, "managed": False}
    seed("fuzz_keyvault", sel(0, response_text(200, [], json.dumps({"value": [{"kid": "https://myvault.vault.azure.net/keys/k1",
        "attributes": {"enabled": True, "created": 1, "updated": 2}, "tags": {}}],
        "nextLink": "https://myvault.vault.azure.net/keys?api-version=7.5&$skiptoken=abc&maxresults=25"}))))
    seed("fuzz_keyvault", sel(0, response_text(200, [], '{"value":[],"nextLink":null}')))
    seed("fuzz_keyvault", sel(1, response_text(200, [], json.dumps({"value": [{"kid": "https://myvault.vault.azure.net/keys/gone",
        "recoveryId": "https://myvault.vault.azure.net/deletedkeys/gone", "deletedDate": 1700000000, "scheduledPurgeDate": 1707776000,
        "attributes": {"enabled": True, "created": 1, "updated": 2}}], "nextLink": "https://myvault.vault.azure.net/deletedkeys?$skiptoken=x"}))))
    seed("fuzz_keyvault", sel(2, response_text(200, [], json.dumps(key))))
    deleted = dict(key, recoveryId="https://myvault.vault.azure.net/deletedkeys/k1", deletedDate=1700000000, scheduledPurgeDate=1707776000)
    seed("fuzz_keyvault", sel(3, response_text(200, [], json.dumps(deleted))))
    seed("fuzz_keyvault", sel(4, response_text(200, [], '{"value":"S2V5VmF1bHRCYWNrdXAtX2Jsb2I"}')))
    seed("fuzz_keyvault", sel(5, response_text(204, [], "")))
    seed("fuzz_keyvault", sel(5, response_text(404, [("x-ms-request-id", "r1")], '{"error":{"code":"KeyNotFound","message":"A key with (name/id) k1 was not found in this key vault.","innererror":{"code":"x"}}}')))
    seed("fuzz_keyvault", sel(5, response_text(401, [("WWW-Authenticate", 'Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net"')], "")))
    for text in ["https://myvault.vault.azure.net/keys/k1/0123456789abcdef0123456789abcdef",
                 "https://myvault.vault.azure.net:8443/deletedkeys/k-2", "http://127.0.0.1:8081/keys/a", "k1-name"]:
        seed("fuzz_keyvault", sel(6, text))
    seed("fuzz_keyvault", sel(7, "30"))
    seed("fuzz_keyvault", sel(7, "Wed, 21 Oct 2015 07:28:00 GMT"))
    seed("fuzz_keyvault", sel(7, "429\nRetry-After: 5\nx-ms-retry-after-ms: 1200\n\n"))


def identity_seeds():
    ok = json.dumps({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": "eyJ0eXAiOiJKV1Qi.x.y"})
    seed("fuzz_identity", sel(0, response_text(200, [("Content-Type", "application/json")], ok)))
    seed("fuzz_identity", sel(0, response_text(400, [], json.dumps({"error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided. Zq8~s3cr3t.Value_42",
        "error_codes": [7000215], "timestamp": "2024-01-01 00:00:00Z", "trace_id": "t", "correlation_id": "c"}))))
    seed("fuzz_identity", sel(0, response_text(429, [("Retry-After", "3")], "slow down")))
    seed("fuzz_identity", sel(1, response_text(200, [], json.dumps({"access_token": "tok", "expires_on": "1700003600",
        "resource": "https://vault.azure.net", "token_type": "Bearer", "client_id": "mi"}))))
    seed("fuzz_identity", sel(1, response_text(200, [], json.dumps({"access_token": "tok", "expires_in": "3599", "expires_on": 1700003600,
        "refresh_in": 1800, "token_type": "Bearer"}))))
    seed("fuzz_identity", sel(1, response_text(400, [], json.dumps({"statusCode": 400, "message": "bad header 9f1c2b7e-identity-header"}))))
    for text in ['Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net"',
                 'Bearer authorization_uri="https://login.windows.net/tenant.example.com/", scope="https://vault.azure.net/.default", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="',
                 'Basic realm="x", Bearer realm="", authorization="https://login.microsoftonline.com/t" resource=https://managedhsm.azure.net',
                 'Negotiate abc==, Bearer a="\\"q\\"",b=c']:
        seed("fuzz_identity", sel(2, text))
    seed("fuzz_identity", sel(3, response_text(401, [("WWW-Authenticate", 'Bearer authorization="https://login.microsoftonline.com/t", resource="https://vault.azure.net"')], "")))
    seed("fuzz_identity", sel(4, "grant_type=client_credentials&client_id=c&client_secret=a%2Bb+c&scope=https%3A%2F%2Fvault.azure.net%2F.default"))
    seed("fuzz_identity", sel(5, "https://login.microsoftonline.com/"))
    seed("fuzz_identity", sel(5, "contoso.onmicrosoft.com"))


def spec_seeds():
    for f in sorted((root / "config").rglob("*.y*ml")):
        text = f.read_text()
        seed("fuzz_spec", sel(0 if f.name.startswith("bulkd") else 2, text))
        seed("fuzz_spec", sel(1, text))
    seed("fuzz_spec", sel(0, """state_dir: /srv/bulkd/state
jobs_dir: jobs
shutdown_timeout: 45s
admin: { listen: "[::1]:9090", token: "${env:TOKEN}" }
log: { level: warn, format: json }
accounts:
  main: { endpoint: "https://acct.documents.azure.com:443/", key: "${env:KEY}", tls: { ca_file: /etc/ca.pem } }
  rep: { connection_string: "AccountEndpoint=https://rep.documents.azure.com:443/;AccountKey=cmVw;" }
  aad: { endpoint: "https://aad.documents.azure.com/", credential: { type: managed-identity, client_id: mi } }
vaults:
  main:
    url: "https://myvault.vault.azure.net"
    credential: { type: client-secret, tenant_id: t, client_id: c, client_secret: "s3cret $${literal}" }
"""))
    seed("fuzz_spec", sel(2, """name: load
kind: bulk-upsert
schedule: "*/15 2-4 * * 1-5"
source: { path: "/in/p-[0-9]*.csv.gz", format: csv, compression: gzip, csv: { delimiter: ";", columns: { n: number, b: boolean, j: json } } }
target: { account: main, database: shop, container: products, create_if_missing: { partition_key: /cat, throughput: 400 } }
id_path: /sku
operation: patch
patch: [ { op: set, path: /price, value_from: /p }, { op: remove, path: /old } ]
concurrency: { max_in_flight: 8 }
rate_limit: { max_ru_per_second: 1000 }
retry: { max_attempts: 5 }
checkpoint_interval: 500ms
---
name: feed
kind: change-feed
source: { account: main, database: shop, container: orders }
start_from: beginning
sink: { type: jsonl, path: /out/orders.jsonl, max_file_size: 64MiB }
---
name: keys
kind: key-backup
schedule: "@daily"
vault: main
keys: { include: ["app-*"], exclude: ["*-test"] }
"""))


def records_seeds():
    jsonl = '{"id":"1","pk":"a","a":{"b":2}}\n{"id":2,"pk":"b"}\n\n{"pk":"c"}\n[1]\n{"id":"\\u00e9","pk":null,"x":"\xff"}\r\n{"id":"x","pk":1.5e3'
    for s in (0x00, 0x14, 0x44, 0x84, 0x30):
        seed("fuzz_records", sel(s, jsonl))
    csv = 'id,pk,name,"a b"\n1,a,"x, ""y""",z\n2,b,"multi\nline",\n3,c\n,d,e,f\n'
    for s in (0x01, 0x15, 0x41):
        seed("fuzz_records", sel(s, csv))
    seed("fuzz_records", sel(0x03, "id;pk;n;b;j\n1;a;2.5;true;{\"k\":[1]}\n2;b;x;maybe;{bad\n3;c;-1e400;FALSE;null\n"))
    arr = '[\n {"id":"1","pk":"a"},\n {"id":"2","pk":"b","n":[1,{"x":"]"}]} ,\n 3,\n {"pk":"c"}\n]\n'
    for s in (0x02, 0x16, 0x42, 0x86):
        seed("fuzz_records", sel(s, arr))
    seed("fuzz_records", sel(0x02, '{"not":"an array"}'))
    seed("fuzz_records", sel(0x08, b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage"))


def sql_seeds():
    for q in ["SELECT * FROM c",
              "SELECT * FROM c WHERE c.pk = @pk AND c.v > 2 ORDER BY c.v DESC OFFSET 1 LIMIT 2\n@@\n[{\"name\":\"@pk\",\"value\":\"p1\"}]",
              "SELECT VALUE COUNT(1) FROM c",
              "SELECT c.id, c.nested.y.z AS z FROM c WHERE IS_DEFINED(c.nested) OR NOT c.flag",
              "SELECT DISTINCT TOP 3 VALUE c.name FROM root r WHERE STARTSWITH(r.name, 'a', true)",
              "SELECT c[\"a b\"], c.tags[0] FROM c WHERE ARRAY_CONTAINS(c.tags, 'a') AND c.v IN (3, 10, '10')",
              "SELECT * FROM c WHERE c.v BETWEEN -3 AND 3.5 AND c.id NOT IN ('1') AND CONTAINS(c.name, \"o\")",
              "SELECT COUNT(c.score) AS n FROM c WHERE IS_NULL(c.score) OR IS_NUMBER(c.v) OR IS_STRING(c.v) OR IS_BOOL(c.flag) OR IS_ARRAY(c.tags) OR IS_OBJECT(c.nested)",
              "SELECT * FROM c WHERE c.v <> undefined AND c.v != null OR ENDSWITH(c.name, 'E', true)\n@@\nnull\n@@\n[{\"id\":\"7\",\"v\":[1,2]}]",
              "SELECT TOP @n * FROM c ORDER BY c.name\n@@\n[{\"name\":\"@n\",\"value\":2}]",
              "SELECT * FROM c GROUP BY c.pk"]:
        seed("fuzz_sql", q)


def patch_seeds():
    for body in [
        {"operations": [{"op": "set", "path": "/s", "value": "y"}, {"op": "incr", "path": "/n", "value": 2}]},
        {"operations": [{"op": "add", "path": "/a/-", "value": {"k": 1}}, {"op": "remove", "path": "/o/p/q"},
                        {"op": "replace", "path": "/a/1/0", "value": 9}, {"op": "move", "from": "/s", "path": "/o/t"}],
         "condition": "FROM c WHERE c.n > 0"},
        [{"op": "incr", "path": "/f", "value": -0.5}, {"op": "add", "path": "/o/~0~1", "value": None}],
        {"operations": [{"op": "set", "path": "/big", "value": 1}, {"op": "incr", "path": "/big", "value": 9223372036854775807}]},
    ]:
        seed("fuzz_patch", json.dumps(body))
    seed("fuzz_patch", '[{"op":"remove","path":"/1"}]\n@@\n{"id":"x","1":[true]}')


def emulator_seeds():
    seed("fuzz_emulator", "GET /\n\n")
    seed("fuzz_emulator", "GET /dbs/db/colls/c/docs/1\nx-ms-documentdb-partitionkey: [\"a\"]\n\n")
    seed("fuzz_emulator", 'POST /dbs/db/colls/c/docs\nx-ms-documentdb-partitionkey: ["z"]\nx-ms-documentdb-is-upsert: True\n\n{"id":"9","pk":"z"}\n%%\n'
                          'PATCH /dbs/db/colls/c/docs/9\nx-ms-documentdb-partitionkey: ["z"]\n\n{"operations":[{"op":"incr","path":"/n","value":1}]}')
    seed("fuzz_emulator", 'POST /dbs/db/colls/c/docs\nContent-Type: application/query+json\nx-ms-documentdb-isquery: True\n'
                          'x-ms-documentdb-query-enablecrosspartition: True\nx-ms-max-item-count: 1\n\n'
                          '{"query":"SELECT * FROM c WHERE c.n > @n ORDER BY c.n","parameters":[{"name":"@n","value":0}]}')
    seed("fuzz_emulator", 'POST /dbs/db/colls/c/docs\nx-ms-cosmos-is-batch-request: True\nx-ms-cosmos-batch-atomic: False\n'
                          'x-ms-cosmos-batch-continue-on-error: True\n\n'
                          '[{"operationType":"Upsert","partitionKey":"[\\"a\\"]","resourceBody":{"id":"4","pk":"a"}},'
                          '{"operationType":"Read","partitionKey":"[\\"b\\"]","id":"2"},{"operationType":"Delete","partitionKey":"[\\"a\\"]","id":"1"},'
                          '{"operationType":"Patch","partitionKey":"[\\"a\\"]","id":"3","resourceBody":{"operations":[{"op":"set","path":"/x","value":1}]}}]')
    seed("fuzz_emulator", 'POST /dbs/db/colls/c/docs\nx-ms-cosmos-is-batch-request: True\nx-ms-cosmos-batch-atomic: True\n'
                          'x-ms-documentdb-partitionkey: ["a"]\n\n[{"operationType":"Create","resourceBody":{"id":"5","pk":"a"}},'
                          '{"operationType":"Replace","id":"1","resourceBody":{"id":"1","pk":"a","n":7},"ifMatch":"\\"x\\""}]')
    seed("fuzz_emulator", 'GET /dbs/db/colls/c/docs\nA-IM: Incremental feed\nx-ms-documentdb-partitionkeyrangeid: 0\nx-ms-max-item-count: 2\n\n%%\n'
                          'GET /dbs/db/colls/c/docs\nA-IM: Incremental feed\nIf-None-Match: "2"\nx-ms-start-epk: \nx-ms-end-epk: 7F\n\n')
    seed("fuzz_emulator", 'GET /dbs/db/colls/c/pkranges\n\n%%\nPOST /_emulator/split\n\n{"db":"db","container":"c","range":"0"}%%\n'
                          'GET /dbs/db/colls/c/docs\nx-ms-continuation: abc\nx-ms-max-item-count: 1\n\n')
    seed("fuzz_emulator", 'PUT /dbs/db/colls/c/docs/2\nx-ms-documentdb-partitionkey: ["b"]\nIf-Match: "nope"\n\n{"id":"2","pk":"b"}\n%%\n'
                          'DELETE /dbs/db/colls/c/docs/3\nx-ms-documentdb-partitionkey: ["a"]\n\n%%\nDELETE /dbs/db/colls/c\n\n%%\nGET /dbs/db/colls\n\n')
    seed("fuzz_emulator", 'GET /dbs/gAABAA==/colls/gAABAIAAAAE=/docs\n\n%%\nGET /dbs\nauthorization: type%3Dmaster%26ver%3D1.0%26sig%3Dx\n\n')


def main():
    cosmos_seeds()
    keyvault_seeds()
    identity_seeds()
    spec_seeds()
    records_seeds()
    sql_seeds()
    patch_seeds()
    emulator_seeds()
    from_captures()
    for d in sorted(corpus.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")


if __name__ == "__main__":
    sys.exit(main())
