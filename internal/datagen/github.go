package datagen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/chkafka/chkafka/kafkaengine"
)

// GitHubEventTypes are the names of the event_type Enum8 of [GitHubColumns] in
// declaration order; the Enum value of GitHubEventTypes[i] is i+1.
var GitHubEventTypes = []string{
	"CommitCommentEvent", "CreateEvent", "DeleteEvent", "ForkEvent", "GollumEvent",
	"IssueCommentEvent", "IssuesEvent", "MemberEvent", "PublicEvent", "PullRequestEvent",
	"PullRequestReviewCommentEvent", "PushEvent", "ReleaseEvent", "SponsorshipEvent",
	"WatchEvent", "GistEvent", "FollowEvent", "DownloadEvent", "PullRequestReviewEvent",
	"ForkApplyEvent", "Event", "TeamAddEvent",
}

// GitHubActions are the names of the action Enum8 of [GitHubColumns] in declaration
// order; the Enum value of GitHubActions[i] is i.
var GitHubActions = []string{
	"none", "created", "added", "edited", "deleted", "opened", "closed", "reopened", "assigned",
	"unassigned", "labeled", "unlabeled", "review_requested", "review_request_removed",
	"synchronize", "started", "published", "update", "create", "fork", "merged",
}

// GitHubRefTypes are the names of the ref_type Enum8 of [GitHubColumns] (values 0..4).
var GitHubRefTypes = []string{"none", "branch", "tag", "repository", "unknown"}

// GitHubStates are the names of the state Enum8 of [GitHubColumns] (values 0..2).
var GitHubStates = []string{"none", "open", "closed"}

// GitHubColumns are the 25 columns of the GitHub events tutorial's tables `github` and
// `github_queue` (SEED_EXAMPLES.md §2), as ClickHouse column definitions for
// [kafkaengine.Columns].
var GitHubColumns = []string{
	"file_time DateTime",
	"event_type " + enum8(GitHubEventTypes, 1),
	"actor_login LowCardinality(String)",
	"repo_name LowCardinality(String)",
	"created_at DateTime",
	"updated_at DateTime",
	"action " + enum8(GitHubActions, 0),
	"comment_id UInt64",
	"path String",
	"ref LowCardinality(String)",
	"ref_type " + enum8(GitHubRefTypes, 0),
	"creator_user_login LowCardinality(String)",
	"number UInt32",
	"title String",
	"labels Array(LowCardinality(String))",
	"state " + enum8(GitHubStates, 0),
	"assignee LowCardinality(String)",
	"assignees Array(LowCardinality(String))",
	"closed_at DateTime",
	"merged_at DateTime",
	"merge_commit_sha String",
	"requested_reviewers Array(LowCardinality(String))",
	"merged_by LowCardinality(String)",
	"review_comments UInt32",
	"member_login LowCardinality(String)",
}

// enum8 spells Enum8('a' = first, 'b' = first+1, ...).
func enum8(names []string, first int) string {
	var sb strings.Builder
	sb.WriteString("Enum8(")
	for i, n := range names {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "'%s' = %d", n, first+i)
	}
	sb.WriteString(")")
	return sb.String()
}

// The column indices of GitHubColumns.
const (
	ghFileTime = iota
	ghEventType
	ghActorLogin
	ghRepoName
	ghCreatedAt
	ghUpdatedAt
	ghAction
	ghCommentID
	ghPath
	ghRef
	ghRefType
	ghCreatorUserLogin
	ghNumber
	ghTitle
	ghLabels
	ghState
	ghAssignee
	ghAssignees
	ghClosedAt
	ghMergedAt
	ghMergeCommitSHA
	ghRequestedReviewers
	ghMergedBy
	ghReviewComments
	ghMemberLogin
	ghNumColumns
)

// githubEventWeights are the relative frequencies (per mille) of GitHubEventTypes, in
// the same order: pushes dominate, as in the real data set.
var githubEventWeights = []int{
	6, 110, 20, 35, 12, // CommitComment, Create, Delete, Fork, Gollum
	70, 45, 6, 3, 60, // IssueComment, Issues, Member, Public, PullRequest
	20, 480, 8, 1, // PullRequestReviewComment, Push, Release, Sponsorship
	100, 3, 2, 1, 15, // Watch, Gist, Follow, Download, PullRequestReview
	1, 1, 1, // ForkApply, Event, TeamAdd
}

// The sample row of the tutorial, row 0 of every stream.
const (
	githubSampleLogin = "IgorMinar"
	githubSampleRepo  = "angular/angular.js"
)

var (
	githubSampleTime = time.Date(2011, 2, 12, 2, 22, 0, 0, time.UTC).Unix()
	githubFirstTime  = time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	githubEndTime    = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

const (
	githubLogins = 3000 // distinct actor logins
	githubRepos  = 2000 // distinct repositories
)

// GitHubGenerator produces the events of [GitHubEvents] batch by batch. It is not safe
// for concurrent use.
type GitHubGenerator struct {
	r      *rand.Rand
	schema *arrow.Schema
	logins []string
	repos  []string
	login  *rand.Zipf // a few very active users, a long tail
	repo   *rand.Zipf
	row    int
	ev     githubEvent
}

// githubEvent is one row, reused from row to row.
type githubEvent struct {
	fileTime, createdAt, updatedAt, closedAt, mergedAt int64
	eventType, action, refType, state                  int
	actor, repo, ref, creator, assignee, mergedBy      string
	member, path, title, sha                           string
	commentID                                          uint64
	number, reviewComments                             uint32
	labels, assignees, reviewers                       []string
}

// NewGitHubGenerator returns a generator of the event stream that seed determines.
func NewGitHubGenerator(seed uint64) (*GitHubGenerator, error) {
	schema, err := kafkaengine.Columns(GitHubColumns...)
	if err != nil {
		return nil, fmt.Errorf("datagen: github columns: %w", err)
	}
	pools := rand.New(rand.NewPCG(seed, 0x706f6f6c))
	r := rand.New(rand.NewPCG(seed, 0x67697468))
	g := &GitHubGenerator{
		r:      r,
		schema: schema,
		logins: makeLogins(pools, githubLogins),
	}
	g.repos = makeRepos(pools, g.logins, githubRepos)
	g.login = rand.NewZipf(r, 1.2, 4, uint64(len(g.logins)-1))
	g.repo = rand.NewZipf(r, 1.2, 4, uint64(len(g.repos)-1))
	return g, nil
}

// Schema returns the schema of the batches: [kafkaengine.Columns] of [GitHubColumns].
func (g *GitHubGenerator) Schema() *arrow.Schema { return g.schema }

// GitHubEvents returns n synthetic GitHub events determined by seed, with the 25
// columns of [GitHubColumns]: actors among 3000 logins and repositories among 2000 (both
// skewed, a few very active), created_at between 2011 and 2020, event types with
// realistic frequencies, and the issue, pull-request, comment and ref columns filled only
// for the event types that have them. Row 0 is the tutorial's sample row (IgorMinar's
// CommitCommentEvent of 2011-02-12 02:22:00). The caller must Release the batch.
func GitHubEvents(mem memory.Allocator, seed uint64, n int) (arrow.RecordBatch, error) {
	g, err := NewGitHubGenerator(seed)
	if err != nil {
		return nil, err
	}
	return g.Next(mem, n)
}

// Next returns the next n events of the stream, allocated with mem; the caller must
// Release the batch.
func (g *GitHubGenerator) Next(mem memory.Allocator, n int) (arrow.RecordBatch, error) {
	if n < 0 {
		return nil, fmt.Errorf("datagen: negative row count %d", n)
	}
	b := array.NewRecordBuilder(mem, g.schema)
	defer b.Release()
	if b.Schema().NumFields() != ghNumColumns {
		return nil, fmt.Errorf("datagen: github schema has %d columns, want %d", b.Schema().NumFields(), ghNumColumns)
	}
	// Enum dictionaries hold every name in declaration order, so that an index is the
	// name's position (the block package's Enum mapping) whatever the rows use.
	for _, enum := range []struct {
		col   int
		names []string
	}{{ghEventType, GitHubEventTypes}, {ghAction, GitHubActions}, {ghRefType, GitHubRefTypes}, {ghState, GitHubStates}} {
		if err := insertDict(mem, b.Field(enum.col).(*array.BinaryDictionaryBuilder), enum.names); err != nil {
			return nil, err
		}
	}
	ts := func(i int, v int64) { b.Field(i).(*array.TimestampBuilder).Append(arrow.Timestamp(v)) }
	str := func(i int, v string) { b.Field(i).(*array.StringBuilder).Append(v) }
	u32 := func(i int, v uint32) { b.Field(i).(*array.Uint32Builder).Append(v) }
	// Dictionary appends fail only on an index overflow; the first error sticks.
	var err error
	dict := func(db array.Builder, v string) {
		if err == nil {
			err = db.(*array.BinaryDictionaryBuilder).AppendString(v)
		}
	}
	list := func(i int, vs []string) {
		lb := b.Field(i).(*array.ListBuilder)
		lb.Append(true)
		for _, v := range vs {
			dict(lb.ValueBuilder(), v)
		}
	}
	for i := range ghNumColumns {
		b.Field(i).Reserve(n)
	}

	e := &g.ev
	for range n {
		g.next()
		ts(ghFileTime, e.fileTime)
		dict(b.Field(ghEventType), GitHubEventTypes[e.eventType])
		dict(b.Field(ghActorLogin), e.actor)
		dict(b.Field(ghRepoName), e.repo)
		ts(ghCreatedAt, e.createdAt)
		ts(ghUpdatedAt, e.updatedAt)
		dict(b.Field(ghAction), GitHubActions[e.action])
		b.Field(ghCommentID).(*array.Uint64Builder).Append(e.commentID)
		str(ghPath, e.path)
		dict(b.Field(ghRef), e.ref)
		dict(b.Field(ghRefType), GitHubRefTypes[e.refType])
		dict(b.Field(ghCreatorUserLogin), e.creator)
		u32(ghNumber, e.number)
		str(ghTitle, e.title)
		list(ghLabels, e.labels)
		dict(b.Field(ghState), GitHubStates[e.state])
		dict(b.Field(ghAssignee), e.assignee)
		list(ghAssignees, e.assignees)
		ts(ghClosedAt, e.closedAt)
		ts(ghMergedAt, e.mergedAt)
		str(ghMergeCommitSHA, e.sha)
		list(ghRequestedReviewers, e.reviewers)
		dict(b.Field(ghMergedBy), e.mergedBy)
		u32(ghReviewComments, e.reviewComments)
		dict(b.Field(ghMemberLogin), e.member)
	}
	if err != nil {
		return nil, fmt.Errorf("datagen: github events: %w", err)
	}
	return b.NewRecordBatch(), nil
}

// insertDict preloads a dictionary builder with names, in order.
func insertDict(mem memory.Allocator, db *array.BinaryDictionaryBuilder, names []string) error {
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues(names, nil)
	arr := sb.NewStringArray()
	defer arr.Release()
	if err := db.InsertStringDictValues(arr); err != nil {
		return fmt.Errorf("datagen: enum dictionary: %w", err)
	}
	return nil
}

// Issue-like (number, title, labels, state, ...) and pull-request-like event types.
func isIssue(t int) bool {
	switch GitHubEventTypes[t] {
	case "IssuesEvent", "IssueCommentEvent":
		return true
	}
	return false
}

func isPull(t int) bool {
	switch GitHubEventTypes[t] {
	case "PullRequestEvent", "PullRequestReviewCommentEvent", "PullRequestReviewEvent":
		return true
	}
	return false
}

var (
	githubLabels   = []string{"bug", "enhancement", "question", "documentation", "help wanted", "good first issue", "duplicate", "wontfix", "invalid", "dependencies", "performance", "security"}
	githubBranches = []string{"master", "main", "develop", "gh-pages", "release", "feature/login", "feature/api", "fix/typo", "hotfix", "dev"}
	githubVerbs    = []string{"Fix", "Add", "Update", "Remove", "Refactor", "Support", "Improve", "Document", "Deprecate", "Handle"}
	githubNouns    = []string{"parser", "config loader", "README", "build script", "CI pipeline", "login page", "cache", "HTTP client", "scheduler", "date picker", "router", "tests", "error messages", "dependency versions", "Windows support"}
	githubTails    = []string{"", "", "", " when the input is empty", " on Windows", " for large files", " in the REST API", " after the last release", " (closes #12)", " behind a proxy", " with unicode file names"}
	githubDirs     = []string{"src", "lib", "test", "docs", "src/main/java", "app/models", "pkg/server", "include"}
	githubFiles    = []string{"index.js", "main.go", "README.md", "utils.py", "app.rb", "server.c", "Makefile", "package.json", "config.yml", "parser.ts"}
	githubSyll     = []string{"al", "an", "ar", "ba", "be", "bo", "ca", "da", "de", "do", "el", "en", "fa", "ga", "ha", "in", "ja", "jo", "ka", "ki", "la", "li", "lo", "ma", "mi", "na", "ne", "no", "pa", "ra", "re", "ri", "ro", "sa", "se", "ta", "ti", "to", "va", "vi", "ya", "za"}
	githubRepoWord = []string{"awesome", "tiny", "fast", "simple", "open", "core", "web", "data", "cloud", "node", "go", "py", "react", "vue", "rust", "kit", "lab", "hub", "engine", "toolkit", "server", "client", "docs", "dotfiles", "blog", "api", "cli", "ui", "db", "ml"}
)

// makeLogins returns n distinct synthetic logins, the sample row's first.
func makeLogins(r *rand.Rand, n int) []string {
	seen := map[string]bool{githubSampleLogin: true}
	out := []string{githubSampleLogin}
	var sb strings.Builder
	for len(out) < n {
		sb.Reset()
		for i := range 2 + r.IntN(3) {
			s := pick(r, githubSyll)
			if i == 0 && r.IntN(3) == 0 {
				s = strings.ToUpper(s[:1]) + s[1:]
			}
			sb.WriteString(s)
		}
		switch r.IntN(4) {
		case 0:
			sb.WriteString(strconv.Itoa(r.IntN(1000)))
		case 1:
			sb.WriteString(pick(r, []string{"-dev", "-io", "hub", "_", "-code", "42"}))
		}
		if s := sb.String(); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// makeRepos returns n distinct "owner/name" repositories, the sample row's first.
func makeRepos(r *rand.Rand, logins []string, n int) []string {
	seen := map[string]bool{githubSampleRepo: true}
	out := []string{githubSampleRepo}
	for len(out) < n {
		name := pick(r, githubRepoWord)
		switch r.IntN(3) {
		case 0:
			name += "-" + pick(r, githubRepoWord)
		case 1:
			name += pick(r, []string{".js", ".py", "-go", "-rs", ".vim", ".github.io"})
		}
		s := logins[r.IntN(len(logins))] + "/" + name
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// next draws the next event into g.ev.
func (g *GitHubGenerator) next() {
	r, e := g.r, &g.ev
	*e = githubEvent{labels: e.labels[:0], assignees: e.assignees[:0], reviewers: e.reviewers[:0]}
	if g.row == 0 {
		g.row++
		e.eventType = index(GitHubEventTypes, "CommitCommentEvent")
		e.actor, e.repo = githubSampleLogin, githubSampleRepo
		e.createdAt = githubSampleTime
		e.updatedAt = githubSampleTime
		e.fileTime = githubSampleTime - githubSampleTime%3600
		e.action = index(GitHubActions, "created")
		e.commentID = 281238
		return
	}
	g.row++
	t := pickWeighted(r, githubEventWeights)
	e.eventType = t
	e.actor = g.someLogin()
	e.repo = g.repos[(g.repo.Uint64()+1)%uint64(len(g.repos))]
	e.createdAt = githubFirstTime + r.Int64N(githubEndTime-githubFirstTime)
	e.updatedAt = e.createdAt
	e.fileTime = e.createdAt - e.createdAt%3600

	name := GitHubEventTypes[t]
	switch name {
	case "CommitCommentEvent", "IssueCommentEvent", "PullRequestReviewCommentEvent", "PullRequestReviewEvent":
		e.action = index(GitHubActions, "created")
		e.commentID = 1_000_000 + r.Uint64N(800_000_000)
		if name != "IssueCommentEvent" && r.IntN(2) == 0 {
			e.path = pick(r, githubDirs) + "/" + pick(r, githubFiles)
		}
	case "IssuesEvent":
		e.action = index(GitHubActions, pick(r, []string{"opened", "opened", "opened", "closed", "closed", "reopened", "labeled", "assigned", "edited"}))
	case "PullRequestEvent":
		e.action = index(GitHubActions, pick(r, []string{"opened", "opened", "closed", "closed", "synchronize", "reopened", "review_requested"}))
	case "WatchEvent":
		e.action = index(GitHubActions, "started")
	case "ReleaseEvent":
		e.action = index(GitHubActions, "published")
	case "MemberEvent":
		e.action = index(GitHubActions, "added")
		e.member = g.someLogin()
	case "PushEvent":
		e.ref = "refs/heads/" + pick(r, githubBranches)
	case "CreateEvent", "DeleteEvent":
		switch x := r.IntN(10); {
		case x < 6:
			e.refType, e.ref = index(GitHubRefTypes, "branch"), pick(r, githubBranches)
		case x < 9 || name == "DeleteEvent":
			e.refType = index(GitHubRefTypes, "tag")
			e.ref = fmt.Sprintf("v%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(10))
		default:
			e.refType = index(GitHubRefTypes, "repository")
		}
	}

	if isIssue(t) || isPull(t) {
		e.number = 1 + uint32(r.IntN(5000))
		e.title = pick(r, githubVerbs) + " " + pick(r, githubNouns) + pick(r, githubTails)
		e.creator = g.someLogin()
		for range r.IntN(4) {
			if l := pick(r, githubLabels); index(e.labels, l) < 0 {
				e.labels = append(e.labels, l)
			}
		}
		e.state = index(GitHubStates, "open")
		if GitHubActions[e.action] == "closed" || r.IntN(5) == 0 {
			e.state = index(GitHubStates, "closed")
			e.closedAt = e.createdAt
		}
		if r.IntN(3) == 0 {
			e.assignee = g.someLogin()
			e.assignees = append(e.assignees, e.assignee)
			if r.IntN(4) == 0 {
				e.assignees = append(e.assignees, g.someLogin())
			}
		}
		if r.IntN(10) == 0 {
			e.updatedAt = e.createdAt + r.Int64N(30*24*3600)
		}
	}
	if isPull(t) {
		e.sha = fmt.Sprintf("%016x%016x%08x", r.Uint64(), r.Uint64(), r.Uint32())
		e.reviewComments = uint32(r.IntN(21))
		for range r.IntN(3) {
			e.reviewers = append(e.reviewers, g.someLogin())
		}
		if GitHubStates[e.state] == "closed" && r.IntN(10) < 7 {
			e.mergedAt = e.closedAt
			e.mergedBy = g.someLogin()
		}
	}
}

// someLogin draws a login; the sample row's login is the rarest, not the most active.
func (g *GitHubGenerator) someLogin() string {
	return g.logins[(g.login.Uint64()+1)%uint64(len(g.logins))]
}

// index returns the position of s in names, -1 if absent.
func index(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}
