#!/bin/sh
: "${IMAPEEK_TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
export IMAPEEK_TOP
exec "${IMAPEEK_BUILD:-$IMAPEEK_TOP/build/asan}/t/unit/test-tmpl"
