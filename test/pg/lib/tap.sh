# Minimal TAP output for the shell tests run by prove.
_tap_n=0
_tap_failed=0
tap_plan() { echo "1..$1"; }
tap_ok() {  # tap_ok STATUS DESCRIPTION  (STATUS 0 = pass)
  _tap_n=$((_tap_n + 1))
  if [[ "$1" -eq 0 ]]; then
    echo "ok $_tap_n - $2"
  else
    echo "not ok $_tap_n - $2"
    _tap_failed=$((_tap_failed + 1))
  fi
}
tap_is() {  # tap_is GOT WANT DESCRIPTION
  if [[ "$1" == "$2" ]]; then tap_ok 0 "$3"; else
    tap_ok 1 "$3"
    echo "#   got:  '$1'"
    echo "#   want: '$2'"
  fi
}
tap_cmp() {  # tap_cmp A OP B DESCRIPTION  (numeric comparison with awk)
  if awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; then tap_ok 0 "$4"; else
    tap_ok 1 "$4"
    echo "#   $1 $2 $3 is false"
  fi
}
