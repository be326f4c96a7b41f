"""Send requests at the same moment; time them, count the threads."""

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def thread_of(answer):
    # Flask reports the request's thread; FastAPI its event loop's.
    return answer.get("request_thread", answer.get("loop_thread"))


def measure(url, count):
    """GET url count times at once: seconds, threads that answered."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        start = time.perf_counter()
        answers = list(pool.map(get_json, [url] * count))
        seconds = time.perf_counter() - start
    return round(seconds, 2), len({thread_of(a) for a in answers})


def main(argv):
    url, count = argv[0], int(argv[1])
    seconds, threads = measure(url, count)
    print(f"{count} requests in {seconds} s, {threads} thread(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
