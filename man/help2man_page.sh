#!/bin/sh
# Makes one man page from the program's own --help (help2man) and the include files of man/:
# common.h2m (every page) and auditlens[-COMMAND].h2m (its SEE ALSO, ...).
#   help2man_page.sh AUDITLENS COMMAND NAME_LINE MAN_DIR OUT.1 [SUBCOMMAND...]
# COMMAND is "" for auditlens(1) itself, else e.g. "run" for auditlens-run(1). help2man names the
# page after the program it runs, so a two-line wrapper called auditlens-COMMAND runs
# `auditlens COMMAND --help`; for `rules`, each SUBCOMMAND's help follows as a section of its own.
set -eu
auditlens=$1 command=$2 name_line=$3 man_dir=$4 out=$5
shift 5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prog=auditlens${command:+-$command}
cat "$man_dir/common.h2m" "$man_dir/$prog.h2m" >"$tmp/include.h2m"
{
  echo '#!/bin/sh'
  echo "[ \"\$1\" = --help ] || exit 2"
  echo "\"$auditlens\" $command --help"
  for sub in "$@"; do
    # The subcommand's description, options and footer under a heading naming it (its Usage,
    # Options and Positionals headings would nest, which a man page cannot).
    echo "echo; echo 'auditlens $command $sub:'; echo"
    echo "\"$auditlens\" $command $sub --help | awk -v cmd='$command $sub' '
      NR == 1 { print; print \"\"; next }
      /^Usage: / { print \"Usage: \" substr(\$0, 8); print \"\"; next }
      /^(Options|Positionals):\$/ { next }
      /^Exit status:\$/ { print \"Exit status of auditlens \" cmd \":\"; next }
      { print }'"
  done
} >"$tmp/$prog"
chmod +x "$tmp/$prog"
help2man --no-info --no-discard-stderr --version-string="$("$auditlens" --version | sed 's/^auditlens //')" \
  --name="$name_line" --include="$tmp/include.h2m" --output="$out.tmp" "$tmp/$prog"
# The page names the program as the wrapper's path: keep its name only.
sed "s|$tmp/||g" "$out.tmp" >"$out"
rm -f "$out.tmp"
