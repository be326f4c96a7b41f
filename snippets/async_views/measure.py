"""Send requests at the same time and time how long they take together."""

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def measure(url, count):
    """GET ``url`` ``count`` times at once: the seconds it took and the threads that answered."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        start = time.perf_counter()
        answers = list(pool.map(get_json, [url] * count))
        seconds = time.perf_counter() - start
    # Flask reports the thread that took the request; FastAPI the event loop's thread.
    threads = {answer.get("request_thread", answer.get("loop_thread")) for answer in answers}
    return round(seconds, 2), len(threads)


def main(argv):
    url, count = argv[0], int(argv[1])
    seconds, threads = measure(url, count)
    print(f"{count} requests in {seconds} s, answered by {threads} thread(s)")


if __name__ == "__main__":
    main(sys.argv[1:])
