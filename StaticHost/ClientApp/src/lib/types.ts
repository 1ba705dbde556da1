// WebApi's response shapes, as its OpenAPI document (/openapi/v1.json) describes them.

export interface Account {
  id: string;
  email: string;
  emailConfirmed: boolean;
}

export interface Page<T> {
  items: T[];
  pageNumber: number;
  pageSize: number;
  total: number;
}

export type TeamRole = "Viewer" | "Maintainer" | "Owner";

export interface Team {
  id: string;
  name: string;
  slug: string;
  myRole: TeamRole;
  createdAt: string;
  etag: string;
}

export interface Member {
  userId: string;
  email: string;
  role: TeamRole;
  addedAt: string;
  etag: string;
}

export interface TeamDetail extends Team {
  members: Member[];
}

export interface Token {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  etag: string;
}

export interface CreatedToken {
  token: string;
  details: Token;
}

export type ScanProfile = "Web" | "Api";
export type Tier = "A" | "B" | "C";

export interface Environment {
  name: string;
  baseUrl: string;
  profile: ScanProfile;
}

export interface Readiness {
  reviewId: string | null;
  score: number | null;
  required: number;
  ready: boolean;
  reason: string;
}

export interface Service {
  id: string;
  teamId: string;
  name: string;
  slug: string;
  description: string;
  repositoryUrl: string | null;
  tags: string[];
  environments: Environment[];
  tier: Tier;
  createdAt: string;
  updatedAt: string;
  readiness: Readiness;
  etag: string;
}

export type ItemStatus = "NotStarted" | "InProgress" | "Done" | "Waived" | "AtRisk";
export type ReviewState = "Open" | "Completed";

export interface Waiver {
  reason: string;
  requestedBy: string;
  approverId: string;
  expiresOn: string;
  approvedAt: string | null;
  state: "Pending" | "Active" | "Expired";
}

export interface ScanObservation {
  scanId: number;
  environment: string;
  findingId: string;
  passed: boolean;
  summary: string;
  seenAt: string;
}

export interface ReviewItem {
  itemId: string;
  sectionId: string;
  title: string;
  status: ItemStatus;
  effectiveStatus: ItemStatus;
  notes: string;
  /** The notes as HTML, rendered from Markdown and sanitized by the server. */
  notesHtml: string;
  assigneeId: string | null;
  dueOn: string | null;
  waiver: Waiver | null;
  riskReason: string | null;
  scanFindings: ScanObservation[];
  updatedAt: string;
  etag: string;
}

export interface SectionScore {
  sectionId: string;
  title: string;
  total: number;
  done: number;
  waived: number;
  score: number;
}

export interface ReviewSummary {
  id: string;
  serviceId: string;
  checklistId: string;
  checklistVersion: string;
  state: ReviewState;
  startedAt: string;
  completedAt: string | null;
  score: number;
  etag: string;
}

export interface Review extends ReviewSummary {
  startedBy: string;
  completedBy: string | null;
  tier: Tier;
  readiness: Readiness;
  sections: SectionScore[];
  items: ReviewItem[];
}

export interface Evidence {
  id: string;
  reviewId: string;
  itemId: string;
  fileName: string;
  contentType: string;
  length: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: string;
  contentUrl: string;
  etag: string;
}

export type ScanStatus = "Queued" | "Running" | "Completed" | "Failed";

export interface ScanSummary {
  id: number;
  serviceId: string | null;
  environment: string;
  targetUrl: string;
  profile: ScanProfile;
  trigger: string;
  status: ScanStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  grade: string | null;
  score: number | null;
  profileGrade: string | null;
  profileScore: number | null;
  checklistPassed: number | null;
  checklistTotal: number | null;
  failedChecks: number | null;
  error: string | null;
}

export type Severity = "Info" | "Low" | "Medium" | "High" | "Critical";

export interface Finding {
  id: string;
  title: string;
  severity: Severity;
  passed: boolean;
  evidence: string;
  checklistItem: string;
  fix: string;
}

export interface Grade {
  score: number;
  scoreBeforeBonuses: number;
  letter: string;
  rubric: string;
}

export interface ScanReport {
  target: { url: string; profile: ScanProfile };
  startedAt: string;
  duration: string;
  observatory: { grade: Grade };
  profileGrade: Grade;
  checklist: { passed: number; total: number };
  findings: Finding[];
}

export interface ScanChanges {
  previousScanId: number;
  previousGrade: string;
  grade: string;
  scoreDelta: number;
  direction: string;
  newFailures: string[];
  fixed: string[];
}

export interface ScanDetail {
  scan: ScanSummary;
  report: ScanReport | null;
  changes: ScanChanges | null;
}

export interface ScanHistoryPoint {
  scanId: number;
  environment: string;
  finishedAt: string;
  score: number;
  grade: string;
  profileScore: number;
  profileGrade: string;
  checklistPassed: number;
  checklistTotal: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  traceId: string | null;
}

/** The latest completed scan of one environment of a service (GET /api/scans/latest). */
export interface LatestScan {
  serviceId: string;
  environment: string;
  scanId: number;
  grade: string;
  score: number;
  profileGrade: string;
  finishedAt: string;
}
