#!/usr/bin/env python3
"""HTTP client of the sample chain: one GET per connection, fixed source ports, checked sizes."""

import argparse
import http.client
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True, help="relay address the client talks to")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", required=True, help="client's own address")
    parser.add_argument("--first-source-port", type=int, default=41001,
                        help="connection i uses this port + i, so captures are reproducible")
    parser.add_argument("--pause-ms", type=float, default=200.0, help="idle gap between connections")
    parser.add_argument("get", nargs="+", metavar="PATH=SIZE", help="path to fetch and its expected size")
    args = parser.parse_args()

    failures = 0
    for index, item in enumerate(args.get):
        path, _, size = item.partition("=")
        if index:
            time.sleep(args.pause_ms / 1000.0)
        conn = http.client.HTTPConnection(args.host, args.port, timeout=10,
                                          source_address=(args.source,
                                                          args.first_source_port + index))
        try:
            conn.request("GET", path, headers={"Accept-Encoding": "identity",
                                               "User-Agent": "packetseq-sample/1"})
            response = conn.getresponse()
            body = response.read()
        except OSError as err:
            print(f"sample-client: GET {path}: {err}", file=sys.stderr)
            failures += 1
            continue
        finally:
            conn.close()
        ok = response.status == 200 and (not size or len(body) == int(size))
        print(f"GET {path} -> {response.status}, {len(body)} bytes{'' if ok else ' (UNEXPECTED)'}")
        failures += 0 if ok else 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
