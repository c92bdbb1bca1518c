#!/bin/sh
# lint on a blog large enough to be checked by several workers: every
# problem is reported once, in path order, with the right counts.
. "$(dirname "$0")/lib/test-lib.sh"

test_expect_success 'setup: 400 posts, three of them broken' '
	git init -q blog && cd blog &&
	mkdir _posts &&
	i=0 &&
	while [ $i -lt 400 ]; do
		n=$(printf %03d $i) &&
		printf -- "---\ntitle: Post %s\n---\nBody %s.\n" $n $n >_posts/2020-01-01-p$n.md &&
		i=$((i + 1))
	done &&
	printf -- "---\ntitle: [broken\n---\n" >_posts/2020-01-01-p007.md &&
	printf -- "---\ntitle: a\ntitle: b\n---\n" >_posts/2020-01-01-p200.md &&
	printf -- "---\ntitle: x\n" >_posts/2020-01-01-p399.md &&
	commit_all "many posts"
'

test_expect_success 'lint reports each problem once, in path order' '
	cd blog &&
	test_expect_code 1 herald lint >../out 2>../err &&
	cat >../expect <<-\EOT &&
	_posts/2020-01-01-p007.md:3:1: error: did not find expected '"','"' or '"']'"' while parsing a flow sequence that starts at line 2, column 8
	_posts/2020-01-01-p200.md:3:1: warning: duplicate key '"'title'"' (the last one wins)
	_posts/2020-01-01-p399.md:1:1: error: front matter opened here is never closed (no '"'---'"' line)
	EOT
	test_cmp ../expect ../out &&
	grep "400 posts checked: 2 errors, 1 warning" ../err
'

test_expect_success 'the same result file by file (--posts narrows the walk)' '
	cd blog &&
	for f in 007 200 399; do
		herald lint --posts "_posts/2020-01-01-p$f.md" 2>/dev/null
	done >../one-by-one
	test_cmp ../out ../one-by-one
'

test_done
