#!/bin/sh
# The ready-made CI wiring herald ships: action.yml (a composite GitHub
# Action), ci/gitlab-ci.yml and the workflow in the README. Each is parsed,
# checked against herald (inputs, options, the packages the Makefile
# needs), and its scripts are run for real against a bare origin and a
# receiver, as the runner would run them.
. "$(dirname "$0")/lib/test-lib.sh"
. "$TEST_DIR/lib/receiver-lib.sh"

ORIGIN="$TRASH/origin.git"
trap 'cd "$TRASH" && for p in *.pid; do [ -f "$p" ] && stop_receiver "${p%.pid}"; done' EXIT
unset GITHUB_ACTIONS GITHUB_EVENT_PATH GITHUB_REF GITHUB_SHA GITLAB_CI HERALD_TO \
	HERALD_FROM HERALD_REF HERALD_TOKEN GITHUB_TOKEN CI_JOB_TOKEN CI_COMMIT_BRANCH 2>/dev/null || true
zero=0000000000000000000000000000000000000000

if ! python3 -c 'import yaml' 2>/dev/null; then
	test_skip 'the CI wiring' 'python3-yaml is missing (make deps)'
	test_done
fi

# herald on PATH, as the action's install step leaves it
mkdir -p bin && ln -s "$HERALD" bin/herald
case $HERALD in /*) ;; *) echo "Bail out! HERALD must be absolute"; exit 1 ;; esac

# wiring QUERY ARGS...: tests/t0072's YAML helper (see the heredoc)
wiring() {
	python3 - "$SRC_DIR" "$@" <<-\PY
	import json, re, sys, yaml
	src, what = sys.argv[1], sys.argv[2]
	action = yaml.safe_load(open(src + "/action.yml"))
	gitlab = yaml.safe_load(open(src + "/ci/gitlab-ci.yml"))
	readme = open(src + "/README.md").read()
	if what == "action-steps":
	    # each run step as a script file, its env (inputs substituted) beside it
	    inputs = {k: v.get("default", "") for k, v in action["inputs"].items()}
	    for kv in sys.argv[4:]:
	        k, v = kv.split("=", 1)
	        inputs[k] = v
	    for i, step in enumerate(action["runs"]["steps"]):
	        open("%s/step%d.sh" % (sys.argv[3], i), "w").write(step["run"])
	        with open("%s/step%d.env" % (sys.argv[3], i), "w") as f:
	            for k, v in (step.get("env") or {}).items():
	                m = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", v)
	                if m:
	                    v = inputs[m.group(1)]
	                elif v == "${{ github.action_path }}":
	                    v = src
	                else:
	                    raise SystemExit("unexpected expression in env: " + v)
	                f.write("export %s='%s'\n" % (k, v))
	elif what == "action-check":
	    assert action["runs"]["using"] == "composite"
	    declared = set(action["inputs"])
	    text = open(src + "/action.yml").read()
	    used = set(re.findall(r"\$\{\{ inputs\.([a-z-]+) \}\}", text))
	    assert used <= declared, ("undeclared inputs", used - declared)
	    assert declared <= used, ("unused inputs", declared - used)
	    for step in action["runs"]["steps"]:
	        assert step["shell"] == "bash", step
	        # expressions go through env, never into a script
	        assert "${{" not in step["run"], step["name"]
	    make = open(src + "/Makefile").read()
	    debs = set(re.search(r"^DEBS = (.*)$", make, re.M).group(1).split())
	    install = action["runs"]["steps"][0]["run"]
	    assert debs <= set(install.replace("\\\n", " ").split()), ("packages", debs)
	    glab = gitlab[".herald"]["before_script"][0]
	    assert debs <= set(glab.replace("\\\n", " ").split()), ("gitlab packages", debs)
	    print("ok")
	elif what == "gitlab-script":
	    # JOB: its before_script then script, as one shell script
	    job = gitlab[sys.argv[3]]
	    base = gitlab[job["extends"]] if "extends" in job else {}
	    lines = base.get("before_script", []) + job["script"]
	    print("\n".join(lines))
	elif what == "gitlab-check":
	    assert gitlab["herald"]["script"] == ["herald ci"]
	    assert gitlab["herald-drain"]["script"] == ["herald ci --deliver"]
	    rules = json.dumps(gitlab["herald-drain"]["rules"])
	    assert '\\"schedule\\"' in rules or '"schedule"' in rules, rules
	    assert gitlab[".herald"]["variables"]["GIT_DEPTH"] == "1"
	    print("ok")
	elif what == "readme-workflow":
	    part = readme[readme.index("### GitHub Actions"):]
	    block = part[part.index("```yaml\n") + 8:]
	    wf = yaml.safe_load(block[:block.index("```")])
	    assert wf["permissions"]["contents"] == "write"
	    on = wf[True] if True in wf else wf["on"]   # YAML 1.1 reads `on` as true
	    assert "push" in on and "schedule" in on
	    steps = wf["jobs"]["announce"]["steps"]
	    assert steps[0]["uses"].startswith("actions/checkout@")
	    use = steps[1]
	    assert use["uses"].split("@")[0].endswith("/herald")
	    assert set(use["with"]) <= set(action["inputs"]), use["with"]
	    assert "schedule" in use["with"]["deliver-only"]
	    keys = {"KIND", "URL", "SECRET"}
	    for k in use["env"]:
	        m = re.fullmatch(r"HERALD_TARGET_[A-Z0-9_]+?_(KIND|URL|SECRET)", k)
	        assert m, k
	    print("ok")
	PY
}

test_expect_success 'action.yml: a composite action whose inputs, scripts and packages fit herald' '
	test "$(wiring action-check)" = ok &&
	wiring action-steps "$TRASH" &&
	bash -n step0.sh && bash -n step1.sh
'

test_expect_success 'ci/gitlab-ci.yml: herald ci on pushes, herald ci --deliver on schedules' '
	test "$(wiring gitlab-check)" = ok &&
	wiring gitlab-script herald >gl-push.sh && bash -n gl-push.sh &&
	wiring gitlab-script herald-drain >gl-drain.sh && bash -n gl-drain.sh
'

test_expect_success 'the README workflow uses the action as it is' '
	test "$(wiring readme-workflow)" = ok
'

test_expect_success 'the commands the wiring runs exist in herald' '
	herald ci -h >ci.help &&
	grep -e "--deliver" ci.help && grep -e "--budget" ci.help &&
	herald help | grep "^   ci "
'

test_expect_success 'setup: an origin, an author, a receiver, targets as secrets' '
	git init -q --bare origin.git &&
	git clone -q origin.git author 2>/dev/null &&
	start_receiver r --respond 200 --max-seconds 600 &&
	echo "$url" >url &&
	cd author && mkdir _posts &&
	printf -- "---\ntitle: One\ndate: 2020-03-01\n---\nBody.\n" >_posts/2020-03-01-one.md &&
	commit_all one && git push -q origin main
'
export HERALD_TARGET_SITE_KIND=webhook HERALD_TARGET_SITE_URL="$(cat url)/hooks/x"

# gh_step N NAME [INPUT=VALUE...]: runs the action's step N in a fresh
# checkout of origin's main, as the runner would, with a push event
gh_step() {
	step=$1 n=$2 && shift 2
	rm -rf "$TRASH/$n" &&
	git clone -q --depth 1 "file://$ORIGIN" "$TRASH/$n" 2>/dev/null &&
	printf '{"before": "%s", "after": "%s", "ref": "refs/heads/main", "repository": {"default_branch": "main"}}\n' \
		"$(git -C author rev-parse -q --verify HEAD~1 || echo $zero)" \
		"$(git -C author rev-parse HEAD)" >"$TRASH/$n.event" &&
	(cd "$TRASH" && wiring action-steps "$TRASH" "$@") &&
	(cd "$TRASH/$n" && . "$TRASH/step$step.env" &&
	 PATH="$TRASH/bin:$PATH" GITHUB_ACTIONS=true GITHUB_EVENT_PATH="$TRASH/$n.event" \
		bash -e "$TRASH/step$step.sh" >"$TRASH/$n.out" 2>&1)
	rc=$?
	sed -e "s/^/| $n: /" "$TRASH/$n.out"
	return $rc
}

test_expect_success 'the action: its install step finds herald; its run step announces, then drains' '
	gh_step 0 install &&
	grep "^herald " install.out &&
	gh_step 1 first &&
	grep "watching refs/heads/main" first.out &&
	(cd author &&
	 printf -- "---\ntitle: Two\ndate: 2020-03-01\n---\nBody.\n" >_posts/2020-03-01-two.md &&
	 commit_all two && git push -q origin main) &&
	gh_step 1 second &&
	grep "announced \"Two\" to site" second.out &&
	grep -x "::add-mask::$HERALD_TARGET_SITE_URL" second.out &&
	gh_step 1 drain deliver-only=true &&
	! grep "announced" drain.out &&
	wait_lines r.log 1 && test "$(wc -l <r.log)" = 1
'

test_expect_success 'the GitLab jobs run as written: herald on pushes, the drain on schedules' '
	(cd author &&
	 printf -- "---\ntitle: Three\ndate: 2020-03-01\n---\nBody.\n" >_posts/2020-03-01-three.md &&
	 commit_all three && git push -q origin main) &&
	rm -rf gl && git clone -q --depth 1 "file://$ORIGIN" gl 2>/dev/null &&
	git -C gl checkout -q --detach &&
	(cd gl && PATH="$TRASH/bin:$PATH" GITLAB_CI=true CI_COMMIT_SHA=$(git rev-parse HEAD) \
		CI_COMMIT_BEFORE_SHA=$(git -C ../author rev-parse HEAD~1) CI_COMMIT_BRANCH=main \
		CI_DEFAULT_BRANCH=main bash -e ../gl-push.sh >../gl-push.out 2>&1) &&
	cat gl-push.out &&
	grep "announced \"Three\" to site" gl-push.out &&
	(cd gl && PATH="$TRASH/bin:$PATH" bash -e ../gl-drain.sh >../gl-drain.out 2>&1) &&
	cat gl-drain.out &&
	test "$(wc -l <r.log)" = 2
'

test_done
