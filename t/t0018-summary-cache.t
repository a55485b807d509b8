#!/bin/sh
exec "${IMAPEEK_BUILD:-$(cd "$(dirname "$0")/.." && pwd)/build/asan}/t/unit/test-summary-cache"
