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

test_expect_success 'a symbolic link and a file over the cap among them, still in path order' '
	cd blog &&
	git checkout -q -b odd &&
	rm _posts/2020-01-01-p100.md &&
	ln -s ../README _posts/2020-01-01-p100.md &&
	{ printf -- "---\ntitle: huge\n---\n" && head -c 16777217 /dev/zero | tr "\\0" x; } \
		>_posts/2020-01-01-p300.md &&
	commit_all "odd files" &&
	test_expect_code 1 herald lint >../out-odd 2>../err-odd &&
	grep -n "" ../out-odd >../numbered &&
	grep "^1:_posts/2020-01-01-p007.md:3:1: error:" ../numbered &&
	grep "^2:_posts/2020-01-01-p100.md: warning: is a symbolic link, not a file; herald ignores it\$" ../numbered &&
	grep "^3:_posts/2020-01-01-p200.md:3:1: warning: duplicate key" ../numbered &&
	grep "^4:_posts/2020-01-01-p300.md: error: .*16777" ../numbered &&
	grep "^5:_posts/2020-01-01-p399.md:1:1: error:" ../numbered &&
	test $(wc -l <../out-odd) = 5 &&
	grep "400 posts checked: 3 errors, 2 warnings" ../err-odd
'

test_expect_success 'a blob that cannot be read: lint fails naming its path' '
	cd blog &&
	git update-index --add --cacheinfo \
		100644,1234567890123456789012345678901234567890,_posts/2020-01-01-p250.md &&
	tree=$(git write-tree --missing-ok) &&
	commit=$(git commit-tree -m broken -p HEAD $tree) &&
	test_expect_code 128 herald lint $commit >../out-broken 2>../err-broken &&
	grep "error: _posts/2020-01-01-p250.md: object not found" ../err-broken &&
	! grep "posts checked" ../err-broken
'

test_done
