// Who may do what: every server action and every route, against every kind of caller, with the outcome
// each must get. Pure data. The attack suite (tests/integration/authorization-matrix.test.ts for actions
// and routes run against a real database, tests/e2e/authorization-matrix.spec.ts for routes over real
// HTTP) drives every cell and fails on any outcome other than the one written here, so a grant nobody
// wrote down is a failing test; tests/unit/authorization-matrix-coverage.test.ts fails when an exported
// action or a route is missing from these tables. A new action or route is one line below.
//
// The callers, all seen from one object owned by team A (a case, its probe face, its search and
// candidates, a disclosure request and a dispute in it; watch-lists, users and settings belong to no
// team):
// - anonymous: no session.
// - teamInvestigator: the investigator of team A who opened the case and ran the search (its first reviewer).
// - otherTeamInvestigator: an investigator of team B. Another team's casework is "not found", never
//   "forbidden", so ids cannot be probed.
// - secondReviewer: another investigator of team A, who takes the blind second review.
// - supervisor: team A's supervisor, who decides disclosures and disputes and does no casework.
// - admin: manages watch-lists, accounts and settings, and sees no casework.

export const MATRIX_ACTORS = ['anonymous', 'teamInvestigator', 'otherTeamInvestigator', 'secondReviewer', 'supervisor', 'admin'] as const;
export type MatrixActor = (typeof MATRIX_ACTORS)[number];

/** An action's expected result: it runs (`allowed`), or it is refused with this error code. */
export type ActionOutcome = 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';

/**
 * A route's expected answer: `ok` (200), `sign-in` (a redirect to /sign-in), `home` (a redirect to the
 * caller's own home page), `400` (a request the endpoint cannot read, e.g. a token request without its form), `401`, `403` (the "Not permitted" page or a JSON 403) or `404` (not found,
 * which is also the answer for an object of another team). `ok-anonymous` is a 200 with no detail in
 * it (the health check's anonymous answer).
 */
export type RouteOutcome = 'ok' | 'ok-anonymous' | 'sign-in' | 'home' | '400' | '401' | '403' | '404';

type Row<Outcome> = Readonly<Record<MatrixActor, Outcome>>;

/** An action every caller may use on purpose (signing in is how a session starts); why, in words. */
export type OpenAction = { open: string };

const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const NF = 'NOT_FOUND';
const OK = 'allowed';

/** The usual shapes, named so each line says which rule it follows. */
const teamCasework = { anonymous: U, teamInvestigator: OK, otherTeamInvestigator: NF, secondReviewer: OK, supervisor: F, admin: F } as const;
const anyInvestigator = { anonymous: U, teamInvestigator: OK, otherTeamInvestigator: OK, secondReviewer: OK, supervisor: F, admin: F } as const;
const adminOnly = { anonymous: U, teamInvestigator: F, otherTeamInvestigator: F, secondReviewer: F, supervisor: F, admin: OK } as const;
const teamSupervisor = { anonymous: U, teamInvestigator: F, otherTeamInvestigator: F, secondReviewer: F, supervisor: OK, admin: F } as const;
const anyoneSignedIn = { anonymous: U, teamInvestigator: OK, otherTeamInvestigator: OK, secondReviewer: OK, supervisor: OK, admin: OK } as const;

/**
 * Every export of lib/actions/*.ts, as `<file>.<export>`. For actions on team-owned objects the cell
 * is about the object named in the comment (in its state then).
 */
export const ACTION_MATRIX: Readonly<Record<string, Row<ActionOutcome> | OpenAction>> = {
  'account.changeOwnPassword': anyoneSignedIn, // one's own password
  'account.dismissSignInNotice': anyoneSignedIn,
  'auth.signInWithPassword': { open: 'signing in is how a session starts; throttled per account and address (tests/integration/authenticate.test.ts)' },
  'auth.signOutNow': { open: 'ends the caller’s own sessions, if any (tests/integration/sessions-and-accounts.test.ts)' },
  'cases.openCase': anyInvestigator, // a new case in the caller's own team
  'cases.closeCase': teamCasework, // team A's open case
  'cases.placeCaseLegalHold': teamCasework, // team A's case, not held
  'cases.releaseCaseLegalHold': teamCasework, // team A's case, held
  'enrolment.enrolUploadedImage': adminOnly, // a watch-list (no team owns one)
  'probes.recordProbeFaceForSearch': teamCasework, // team A's open case
  'reviews.commitReview': { ...teamCasework, secondReviewer: F }, // team A's search, not yet reviewed: only who ran it reviews it first
  'reviews.correctDecision': { ...teamCasework, secondReviewer: F }, // a candidate decided by the first reviewer alone
  'reviews.takeSecondReview': { ...teamCasework, teamInvestigator: F }, // awaiting a second review: never by the first reviewer
  'reviews.requestDisclosure': teamCasework, // a candidate both reviewers called a possible match
  'searches.runSearch': teamCasework, // team A's probe face, against a watch-list anyone may search
  'session-policy.updateSessionPolicy': adminOnly,
  'settings.updateRetentionPolicy': adminOnly,
  'settings.updateSearchPolicy': adminOnly,
  'supervision.approveDisclosure': teamSupervisor, // a pending request in team A's case
  'supervision.refuseDisclosure': teamSupervisor, // a pending request in team A's case
  'supervision.resolveDispute': teamSupervisor, // a dispute in team A's case
  'users.createUser': adminOnly,
  'users.resetUserPassword': adminOnly, // another user
  'users.setUserDisabled': adminOnly, // another user
  'users.setUserRole': adminOnly, // another user
  'users.setUserTeam': adminOnly, // another user
  'watchlists.createWatchlist': adminOnly,
  'watchlists.deleteWatchlist': adminOnly,
  'watchlists.eraseSubject': adminOnly,
  'watchlists.updateWatchlist': adminOnly,
  'watchlists.updateSubject': adminOnly,
  'set-aside.inspectSetAsideImage': adminOnly, // an image set aside at enrolment (no team owns a watch-list)
  'set-aside.enrolSetAsideFace': adminOnly,
  'set-aside.dismissSetAside': adminOnly,
  'api-clients.createApiClient': adminOnly,
  'api-clients.revokeApiClient': adminOnly,
  'api-clients.rotateApiClientSecret': adminOnly,
};

const page = (home: RouteOutcome, rest: RouteOutcome) =>
  ({ anonymous: 'sign-in', teamInvestigator: home, otherTeamInvestigator: home, secondReviewer: home, supervisor: rest, admin: rest }) as const;
const investigatorPage = page('ok', '403');
const teamCasePage = { anonymous: 'sign-in', teamInvestigator: 'ok', otherTeamInvestigator: '404', secondReviewer: 'ok', supervisor: '403', admin: '403' } as const;
const supervisorPage = { anonymous: 'sign-in', teamInvestigator: '403', otherTeamInvestigator: '403', secondReviewer: '403', supervisor: 'ok', admin: '403' } as const;
/** The same answer whoever asks. */
const everyone = (outcome: RouteOutcome): Row<RouteOutcome> => ({ anonymous: outcome, teamInvestigator: outcome, otherTeamInvestigator: outcome, secondReviewer: outcome, supervisor: outcome, admin: outcome });
const adminPage = { anonymous: 'sign-in', teamInvestigator: '403', otherTeamInvestigator: '403', secondReviewer: '403', supervisor: '403', admin: 'ok' } as const;
// The faces of a search are the team's, and the supervisor's when a disclosure or dispute in it is theirs to decide.
const teamCrop = { anonymous: '401', teamInvestigator: 'ok', otherTeamInvestigator: '404', secondReviewer: 'ok', supervisor: 'ok', admin: '404' } as const;

/**
 * Every page (app/**\/page.tsx) and API route (app/api/**\/route.ts, by HTTP method), as `<METHOD>
 * <path>` with the folder names of dynamic segments kept (`[caseId]`); route groups are left out.
 * For dynamic routes the comment says which object of team A the id names.
 */
export const ROUTE_MATRIX: Readonly<Record<string, Row<RouteOutcome>>> = {
  'GET /': { anonymous: 'sign-in', teamInvestigator: 'home', otherTeamInvestigator: 'home', secondReviewer: 'home', supervisor: 'home', admin: 'home' },
  'GET /sign-in': { anonymous: 'ok', teamInvestigator: 'home', otherTeamInvestigator: 'home', secondReviewer: 'home', supervisor: 'home', admin: 'home' },
  'GET /account/password': { anonymous: 'sign-in', teamInvestigator: 'ok', otherTeamInvestigator: 'ok', secondReviewer: 'ok', supervisor: 'ok', admin: 'ok' },
  'GET /cases': investigatorPage,
  'GET /cases/[caseId]': teamCasePage, // the case
  'GET /cases/[caseId]/searches/[searchId]': teamCasePage, // a search awaiting its second review, not yet taken: a teammate sees only that it is under review (no faces, identities or decisions)
  'GET /reviews': investigatorPage,
  'GET /reviews/[searchId]': teamCasePage, // a search awaiting its second review: the team sees the panel to take it (the first reviewer, why they may not), nothing of the search
  'GET /disclosures': supervisorPage,
  'GET /disclosures/[disclosureId]': supervisorPage, // a pending request
  'GET /disclosures/[disclosureId]/pack': supervisorPage, // an approved request
  'GET /disputes/[disputeId]': supervisorPage, // an open dispute
  'GET /audit': supervisorPage, // the team's own audit trail
  'GET /oversight': supervisorPage,
  'GET /admin': adminPage,
  'GET /admin/audit': adminPage,
  'GET /admin/models': adminPage,
  'GET /admin/oversight': adminPage,
  'GET /admin/settings': adminPage,
  'GET /admin/users': adminPage,
  'GET /admin/watchlists': adminPage,
  'GET /admin/watchlists/[watchlistId]': adminPage, // a watch-list
  'GET /admin/api-clients': adminPage,
  // The v1 API is for registered clients with a bearer token; a browser session opens none of it.
  'GET /api/v1/openapi.json': everyone('ok'), // the contract is public
  'GET /api/v1/docs': everyone('ok'),
  'GET /api/v1/docs/assets/[file]': everyone('ok'), // the Swagger UI stylesheet
  'POST /api/v1/token': everyone('400'), // no client-credentials form sent
  'GET /api/v1/watchlists': everyone('401'),
  'POST /api/v1/searches': everyone('401'),
  'GET /api/v1/searches/[id]': everyone('401'), // team A's search
  'GET /api/v1/searches/[id]/probe-crop': everyone('401'),
  'GET /api/v1/searches/[id]/candidates/[candidateId]/crop': everyone('401'),
  'POST /api/v1/searches/[id]/decisions': everyone('401'),
  'GET /api/health': { anonymous: 'ok-anonymous', teamInvestigator: 'ok-anonymous', otherTeamInvestigator: 'ok-anonymous', secondReviewer: 'ok-anonymous', supervisor: 'ok-anonymous', admin: 'ok' },
  'GET /api/audit/export': { anonymous: '401', teamInvestigator: '403', otherTeamInvestigator: '403', secondReviewer: '403', supervisor: '403', admin: 'ok' }, // supervisors read their team's trail at /audit; the whole log leaves only with an administrator
  'GET /api/oversight/export': { anonymous: '401', teamInvestigator: '403', otherTeamInvestigator: '403', secondReviewer: '403', supervisor: 'ok', admin: 'ok' },
  'GET /api/crops/probe/[id]': teamCrop, // the probe face of a search with an approved disclosure request
  'GET /api/crops/candidate/[id]': teamCrop, // a candidate of that search
  'GET /api/crops/enrolled/[id]': { ...teamCrop, admin: 'ok' }, // an enrolled face that came up as a candidate in a search with a disclosure request (administrators see the gallery)
  'GET /api/disclosures/[id]/pack': { anonymous: '401', teamInvestigator: 'ok', otherTeamInvestigator: '404', secondReviewer: 'ok', supervisor: 'ok', admin: '404' }, // an approved request's pack
};

/** The expectation a cell sets for an action, or null for an action open to every caller. */
export function expectedActionOutcome(action: string, actor: MatrixActor): ActionOutcome | null {
  const row = ACTION_MATRIX[action];
  if (!row) throw new Error(`${action} is not in ACTION_MATRIX`);
  return 'open' in row ? null : (row as Row<ActionOutcome>)[actor];
}
