#!/bin/sh
# Redraws the sample of one control from a trustpack period pack, without trustpack.
#   pdfdetach -saveall pack.pdf            # population.tsv is attached to the pack
#   sh redraw-sample.sh population.tsv CONTROL SEED N
# CONTROL, SEED and N are printed in the pack's "Population and sample" section. Prints the
# population's sha256 (to compare with the pack) on stderr, then the N occurrences whose
# sha256(seed || occurrence id) is smallest, smallest first: "<key> <run id>|<resource>".
set -eu
[ $# -eq 4 ] || { echo "usage: $0 population.tsv CONTROL SEED N" >&2; exit 2; }
pop=$1 control=$2 seed=$3 n=$4
tab=$(printf '\t')
printf 'population sha256 %s\n' "$(grep "^$control$tab" "$pop" | cut -f2 | sha256sum | cut -d' ' -f1)" >&2
grep "^$control$tab" "$pop" | cut -f2 | while IFS= read -r id; do
  printf '%s %s\n' "$(printf '%s%s' "$seed" "$id" | sha256sum | cut -d' ' -f1)" "$id"
done | LC_ALL=C sort | head -n "$n"
