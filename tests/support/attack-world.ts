import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { createActionDefiner } from '@/lib/server/actions/create-action-definer';
import { createApiClientSpec } from '@/lib/server/actions/specs/api-clients';
import { authConfig, SESSION_COOKIE_MAX_AGE_SECONDS } from '@/lib/server/auth/auth-config';
import type { Actor } from '@/lib/server/auth/current-actor';
import { hashPassword } from '@/lib/server/auth/passwords';
import { startUserSession } from '@/lib/server/auth/sessions';
import type { Database } from '@/lib/server/db/database';
import { embeddingToBytes } from '@/lib/server/gallery/embedding-bytes';
import { decodeImageFile } from '@/lib/server/vision/decode-image-file';
import { getSharedFacePipeline } from '@/lib/server/vision/shared-face-pipeline';
import type { MatrixActor } from '@/lib/shared/security/authorization-matrix';
import { buildProbeFaceFormData, toProbeFaceInput } from '@/lib/shared/schemas/probe';
import { buildDisclosureWorld } from './disclosure-world';
import { hasLfw, lfwImage } from './lfw';

// The world the attack suite tries every action and route in: team A's casework in every state an
// action needs (a case, a search before and after each review, a disclosure request, a dispute, an
// approved pack, crops on disk), team B's investigator, team A's supervisor, an administrator, and a
// real session for any of them. Built through the real action specifications where a state needs
// them (disclosure-world), rows written directly elsewhere.

export const KNOWN_PASSWORD = 'attack suite password 1';
const COOKIE_NAME = 'authjs.session-token';
export const RECOGNIZER_ID = 'faceplugin-fr-feature-512@0.0.1';

export type AttackWorld = Awaited<ReturnType<typeof buildAttackWorld>>;

export async function buildAttackWorld(database: Database, dataDir: string) {
  const disclosure = await buildDisclosureWorld(database, dataDir, `attack-${randomUUID().slice(0, 6)}`);
  const { world } = disclosure;
  const { prisma } = database;
  const actors: Record<Exclude<MatrixActor, 'anonymous'>, Actor> = {
    teamInvestigator: world.actors.opener,
    otherTeamInvestigator: world.actors.otherTeam,
    secondReviewer: world.actors.teammate,
    supervisor: world.actors.supervisor,
    admin: world.actors.admin,
  };
  // Real hashes, so that changing one's own password can be tried by everyone.
  const passwordHash = await hashPassword(KNOWN_PASSWORD);
  await prisma.user.updateMany({ where: { id: { in: Object.values(actors).map((actor) => actor.id) } }, data: { passwordHash } });

  /** A session cookie for a new session of this user, exactly as signing in makes one. */
  async function sessionCookieFor(actor: Actor): Promise<string> {
    const session = await startUserSession(prisma, { userId: actor.id, now: new Date() });
    const jwt = authConfig.callbacks.jwt as (params: unknown) => Record<string, unknown> | null;
    const token = jwt({ token: {}, user: { id: actor.id, sessionId: session.id, sessionExpiresAt: session.expiresAt }, trigger: 'signIn' });
    if (!token) throw new Error('no session token');
    return authConfig.jwt.encode({ token, secret: process.env.AUTH_SECRET!, salt: COOKIE_NAME, maxAge: SESSION_COOKIE_MAX_AGE_SECONDS });
  }

  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;
  const decide = disclosure.decide;
  const as = disclosure.as;
  const must = <T>(result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }): T => {
    if (!result.ok) throw new Error(`setting up the attack world: ${result.error.code} ${result.error.message}`);
    return result.data;
  };

  async function teamCase(options: { isHeld?: boolean } = {}) {
    const kase = await prisma.case.create({
      data: {
        reference: unique('OP/ATTACK'),
        offence: 'Robbery',
        purpose: 'Identify the robber seen on the CCTV',
        legalBasis: 'PACE s.1',
        openedById: actors.teamInvestigator.id,
        teamId: world.teamA.id,
        ...(options.isHeld ? { legalHoldAt: new Date(), legalHoldReason: 'Appeal pending in the Crown Court', legalHoldById: actors.teamInvestigator.id } : {}),
      },
    });
    return kase.id;
  }

  /** A search of team A that nobody has reviewed yet. */
  const unreviewedSearch = () => world.makeSearch(unique('OP/SEARCH'), actors.teamInvestigator.id, world.teamA.id, 3);

  /** A search whose first review is committed with a possible match on the first candidate: waiting for a second review. */
  async function searchAwaitingSecondReview() {
    const search = await unreviewedSearch();
    const [c1, c2, c3] = search.candidateIds as [string, string, string];
    must(await as(actors.teamInvestigator).commit({ searchId: search.searchId, decisions: decide([c1, c2, c3], ['possible_match', 'no_match', 'no_match']) }));
    return search;
  }

  /** A search reviewed twice to a confirmed possible match on its first candidate, not yet put forward. */
  async function confirmedSearch() {
    const search = await searchAwaitingSecondReview();
    const [c1] = search.candidateIds as [string];
    must(await as(actors.secondReviewer).take({ searchId: search.searchId }));
    const order = (await prisma.review.findUniqueOrThrow({ where: { searchId_stage: { searchId: search.searchId, stage: 'second' } } })).candidateOrder;
    must(await as(actors.secondReviewer).commit({ searchId: search.searchId, decisions: decide(order, order.map((id) => (id === c1 ? 'possible_match' : 'no_match'))) }));
    return search;
  }

  async function probeFaceForSearch() {
    const search = await unreviewedSearch();
    const unit = new Float32Array(512);
    unit[3] = 1;
    await prisma.probeFace.update({ where: { id: search.probeFaceId }, data: { modelId: RECOGNIZER_ID, embedding: embeddingToBytes(unit), serverQualityVerdict: 'good' } });
    return search.probeFaceId;
  }

  async function otherUser(role: 'investigator' | 'supervisor' = 'investigator') {
    return prisma.user.create({ data: { email: `${unique('target')}@attack.test`, displayName: 'Target user', role, passwordHash, teamId: world.teamB.id }, select: { id: true } });
  }

  async function watchlist() {
    return prisma.watchlist.create({
      data: { name: unique('List'), purpose: 'Attack suite list', authority: 'Test authority', ownerId: actors.admin.id, retentionDays: 30, reviewDate: new Date('2031-01-01') },
      select: { id: true, name: true },
    });
  }


  /** An image set aside at enrolment in a fresh list, recorded by its SHA-256 as enrolment records it. */
  async function setAsideImage(bytes: Buffer, reason: string) {
    const list = await watchlist();
    const imageSha256 = createHash('sha256').update(bytes).digest('hex');
    const exception = await prisma.enrolmentException.create({
      data: { watchlistId: list.id, subjectRef: unique('SA'), sourceLabel: 'set-aside.jpg', imageSha256, reason, details: { message: 'Set aside by the attack suite' } },
      select: { id: true },
    });
    return exception.id;
  }

  function setAsideForm(exceptionId: string, bytes: Buffer, faceNumber?: number) {
    const form = new FormData();
    form.set('exceptionId', exceptionId);
    form.set('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'set-aside.jpg');
    if (faceNumber !== undefined) form.set('faceNumber', String(faceNumber));
    return form;
  }

  /** A registered API client (made by the administrator through the same specification as the console). */
  async function apiClient() {
    const list = await watchlist();
    const create = createActionDefiner({ getActor: async () => actors.admin, getPrisma: async () => prisma })(createApiClientSpec);
    const result = await create({ name: unique('Client').replace(/[^A-Za-z0-9 ._-]/g, '-'), team: world.teamA.name, watchlists: [list.name] });
    if (!result.ok) throw new Error(`could not register an API client: ${result.error.message}`);
    return result.data.clientId;
  }

  // A genuine face for the probe recording (LFW), as the browser would measure and crop it.
  let probeFace: Promise<{ crop: Buffer; face: ReturnType<typeof toProbeFaceInput> }> | undefined;
  function genuineProbeFace() {
    probeFace ??= (async () => {
      const pipeline = await getSharedFacePipeline();
      const { image } = await decodeImageFile(readFileSync(lfwImage('Colin_Powell', 1)));
      const [face] = await pipeline.analyseImage(image);
      if (!face) throw new Error('no face found in the LFW image');
      const crop = await sharp(Buffer.from(face.aligned.data), { raw: { width: face.aligned.width, height: face.aligned.height, channels: 3 } }).png().toBuffer();
      return { crop, face: toProbeFaceInput(face) };
    })();
    return probeFace;
  }

  async function probeFaceForm(caseId: string, overrides: { embedding?: unknown; crop?: Buffer; source?: string } = {}) {
    const { crop, face } = await genuineProbeFace();
    const payload = {
      caseId,
      idempotencyKey: randomUUID(),
      still: { imageSha256: randomUUID().replaceAll('-', '').padEnd(64, '0'), width: 250, height: 250, source: overrides.source ?? 'CCTV export' },
      face: { ...face, quality: { ...face.quality, verdict: 'poor' as const }, ...(overrides.embedding !== undefined ? { embedding: overrides.embedding as number[] } : {}) },
    };
    return buildProbeFaceFormData(payload, new Blob([new Uint8Array(overrides.crop ?? crop)], { type: 'image/png' }));
  }

  /** A face-less image for enrolment uploads: it is set aside, not enrolled, but the upload runs. */
  const plainJpeg = () => sharp({ create: { width: 200, height: 240, channels: 3, background: { r: 180, g: 150, b: 120 } } }).jpeg().toBuffer();

  function enrolmentForm(watchlistId: string, file: Blob, options: { subjectReference?: string; fileName?: string } = {}) {
    const form = new FormData();
    form.set('watchlistId', watchlistId);
    form.set('subjectReference', options.subjectReference ?? unique('S'));
    form.set('fileName', options.fileName ?? 'subject.jpg');
    form.set('file', file);
    return form;
  }

  /**
   * How to try each action: a fresh object of team A in the state the matrix's comment names, and the
   * input that would succeed for a caller allowed to act on it. Keyed like ACTION_MATRIX.
   */
  const actionInputs: Record<string, (actor: Actor | null) => Promise<unknown>> = {
    'account.changeOwnPassword': async () => ({ currentPassword: KNOWN_PASSWORD, newPassword: `${KNOWN_PASSWORD} changed`, confirmation: `${KNOWN_PASSWORD} changed` }),
    'account.dismissSignInNotice': async () => ({}),
    'cases.openCase': async () => ({ reference: unique('OP/NEW'), offence: 'Burglary', purpose: 'Identify the burglar on the doorbell camera', legalBasis: 'PACE s.1' }),
    'cases.closeCase': async () => ({ caseId: await teamCase() }),
    'cases.placeCaseLegalHold': async () => ({ caseId: await teamCase(), reason: 'Appeal pending in the Crown Court' }),
    'cases.releaseCaseLegalHold': async () => ({ caseId: await teamCase({ isHeld: true }), reason: 'The appeal has been decided' }),
    'enrolment.enrolUploadedImage': async () => enrolmentForm((await watchlist()).id, new Blob([new Uint8Array(await plainJpeg())], { type: 'image/jpeg' })),
    'probes.recordProbeFaceForSearch': async () => probeFaceForm(await teamCase()),
    'reviews.commitReview': async () => {
      const search = await unreviewedSearch();
      return { searchId: search.searchId, decisions: decide(search.candidateIds, search.candidateIds.map(() => 'no_match')) };
    },
    'reviews.correctDecision': async () => {
      const search = await unreviewedSearch();
      must(await as(actors.teamInvestigator).commit({ searchId: search.searchId, decisions: decide(search.candidateIds, search.candidateIds.map(() => 'no_match')) }));
      return { candidateId: search.candidateIds[0], decision: 'inconclusive', rationale: 'The ears are hidden by a hood.', reason: 'Looked again at full size.' };
    },
    'reviews.takeSecondReview': async () => ({ searchId: (await searchAwaitingSecondReview()).searchId }),
    'reviews.requestDisclosure': async () => ({ candidateId: (await confirmedSearch()).candidateIds[0], statement: 'Both reviewers saw the same scar over the left eyebrow.' }),
    'searches.runSearch': async () => ({ probeFaceId: await probeFaceForSearch(), watchlistIds: [world.watchlist.id], mode: 'rank' }),
    'session-policy.updateSessionPolicy': async () => ({ absoluteMinutes: 480, idleMinutes: 30 }),
    'settings.updateRetentionPolicy': async () => ({ probeDays: null, searchDays: null, closedCaseDays: null, auditDays: null }),
    'settings.updateSearchPolicy': async () => ({ listSize: 20, minimumQuality: 'usable', isFirstReviewBlind: true }),
    'supervision.approveDisclosure': async () => ({ disclosureId: (await disclosure.pendingDisclosure(unique('OP/DISC'))).disclosureId, rationale: 'Both reviews agree and the statement holds.' }),
    'supervision.refuseDisclosure': async () => ({ disclosureId: (await disclosure.pendingDisclosure(unique('OP/DISC'))).disclosureId, rationale: 'The probe image is too poor to rely on.' }),
    'supervision.resolveDispute': async () => {
      const disputed = await disclosure.disputedSearch(unique('OP/DISPUTE'));
      return { disputeId: disputed.disputeId, decisions: [{ candidateId: disputed.candidateIds[0], decision: 'no_match' }], rationale: 'The hairline differs on close inspection.' };
    },
    'users.createUser': async () => ({ email: `${unique('new')}@attack.test`, displayName: 'New Investigator', role: 'investigator', teamName: 'Attack team C' }),
    'users.resetUserPassword': async () => ({ userId: (await otherUser()).id }),
    'users.setUserDisabled': async () => ({ userId: (await otherUser()).id, disabled: true }),
    'users.setUserRole': async () => ({ userId: (await otherUser()).id, role: 'supervisor', teamName: '' }),
    'users.setUserTeam': async () => ({ userId: (await otherUser()).id, teamName: 'Attack team D' }),
    'watchlists.createWatchlist': async () => ({ name: unique('New list'), purpose: 'Persons wanted on warrant', authority: 'Chief Constable', retentionDays: 30, reviewDate: '2031-01-01', searchableBy: [] }),
    'watchlists.deleteWatchlist': async () => {
      const list = await watchlist();
      return { watchlistId: list.id, reason: 'The operation has ended.', confirmName: list.name };
    },
    'watchlists.updateWatchlist': async () => ({ watchlistId: (await watchlist()).id, purpose: 'Persons wanted on warrant, revised', authority: 'Chief Constable', retentionDays: 60, reviewDate: '2031-06-01', searchableBy: [] }),
    'watchlists.updateSubject': async () => {
      const list = await watchlist();
      const subject = await prisma.subject.create({ data: { watchlistId: list.id, reference: unique('S'), displayName: 'Subject to rename' }, select: { id: true } });
      return { subjectId: subject.id, reference: unique('S-RENAMED'), displayName: 'Renamed subject' };
    },
    'set-aside.inspectSetAsideImage': async () => {
      const bytes = await plainJpeg();
      return setAsideForm(await setAsideImage(bytes, 'no_face'), bytes);
    },
    'set-aside.enrolSetAsideFace': async () => {
      // A genuine face (LFW) set aside for its quality, enrolled by picking its one face.
      const bytes = readFileSync(lfwImage('George_W_Bush', 1));
      return setAsideForm(await setAsideImage(bytes, 'poor_quality'), bytes, 1);
    },
    'set-aside.dismissSetAside': async () => ({ exceptionId: await setAsideImage(await plainJpeg(), 'no_face'), reason: 'Not the subject: a bystander at the scene.' }),
    'api-clients.createApiClient': async () => ({ name: unique('Client').replace(/[^A-Za-z0-9 ._-]/g, '-'), team: world.teamA.name, watchlists: [(await watchlist()).name] }),
    'api-clients.revokeApiClient': async () => ({ clientId: await apiClient() }),
    'api-clients.rotateApiClientSecret': async () => ({ clientId: await apiClient() }),
    'watchlists.eraseSubject': async () => {
      const list = await watchlist();
      const subject = await prisma.subject.create({ data: { watchlistId: list.id, reference: unique('S'), displayName: 'Subject to erase' }, select: { id: true } });
      return { subjectId: subject.id, reason: 'Acquitted: the record must go.' };
    },
  };

  /** Objects for the dynamic segments of routes, built once: GET requests change nothing. */
  async function routeObjects() {
    const caseId = await teamCase();
    const awaiting = await searchAwaitingSecondReview();
    const pending = await disclosure.pendingDisclosure(unique('OP/PENDING'));
    const approved = await disclosure.pendingDisclosure(unique('OP/APPROVED'));
    must(await as(actors.supervisor).approve({ disclosureId: approved.disclosureId, rationale: 'Both reviews agree and the statement holds.' }));
    const disputed = await disclosure.disputedSearch(unique('OP/DISPUTED'));
    const caseReference = (await prisma.case.findFirstOrThrow({ where: { searches: { some: { id: approved.searchId } } }, select: { reference: true } })).reference;
    return {
      caseId,
      awaiting,
      pendingDisclosureId: pending.disclosureId,
      approvedDisclosureId: approved.disclosureId,
      disputeId: disputed.disputeId,
      watchlistId: world.watchlist.id,
      // Crops on disk: the approved disclosure's search has real crop files.
      probeFaceId: approved.probeFaceId,
      candidateId: approved.candidateIds[0]!,
      enrolledFaceId: approved.enrolledFaceIds[0]!,
      caseReference,
    };
  }

  return {
    ...disclosure,
    actors,
    sessionCookieFor,
    actionInputs,
    routeObjects,
    teamCase,
    unreviewedSearch,
    searchAwaitingSecondReview,
    confirmedSearch,
    probeFaceForm,
    enrolmentForm,
    watchlist,
    unique,
    hasGenuineFaces: hasLfw,
  };
}
