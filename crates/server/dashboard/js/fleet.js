// What the dashboard knows of Intune's vocabulary: platforms, compliance states, run
// states and status counts, each with its label, colour and `$filter`.

/** `operatingSystem` values as Intune reports them; devices of none of them are "Other". */
export const PLATFORMS = [
  { key: 'windows', label: 'Windows', filter: "operatingSystem eq 'Windows'", color: '#2563eb' },
  { key: 'ios', label: 'iOS/iPadOS', filter: "operatingSystem in ('iOS','iPadOS')", color: '#0ea5e9' },
  { key: 'android', label: 'Android', filter: "operatingSystem eq 'Android'", color: '#22c55e' },
  { key: 'macos', label: 'macOS', filter: "operatingSystem eq 'macOS'", color: '#a855f7' },
];
export const OTHER_PLATFORM_COLOR = '#94a3b8';

/** `complianceState` members (v1.0 and beta). */
export const COMPLIANCE = [
  { state: 'compliant', label: 'Compliant', color: '#16a34a', tone: 'success' },
  { state: 'noncompliant', label: 'Noncompliant', color: '#dc2626', tone: 'error' },
  { state: 'inGracePeriod', label: 'In grace period', color: '#f59e0b', tone: 'warning' },
  { state: 'conflict', label: 'Conflict', color: '#ea580c', tone: 'warning' },
  { state: 'error', label: 'Error', color: '#9f1239', tone: 'error' },
  { state: 'unknown', label: 'Unknown', color: '#94a3b8', tone: 'neutral' },
  { state: 'configManager', label: 'Config Manager', color: '#6366f1', tone: 'info' },
];

/** A script's `runState` members. */
export const RUN_STATES = [
  { state: 'success', label: 'Success', color: '#16a34a', tone: 'success' },
  { state: 'fail', label: 'Failed', color: '#dc2626', tone: 'error' },
  { state: 'scriptError', label: 'Script error', color: '#9f1239', tone: 'error' },
  { state: 'pending', label: 'Pending', color: '#6366f1', tone: 'info' },
  { state: 'notApplicable', label: 'Not applicable', color: '#cbd5e1', tone: 'neutral' },
  { state: 'unknown', label: 'Unknown', color: '#94a3b8', tone: 'neutral' },
];

/** The counts of an app configuration's device and user status summaries. */
export const CONFIGURATION_COUNTS = [
  { property: 'successCount', label: 'Succeeded', color: '#16a34a' },
  { property: 'pendingCount', label: 'Pending', color: '#6366f1' },
  { property: 'failedCount', label: 'Failed', color: '#dc2626' },
  { property: 'errorCount', label: 'Error', color: '#9f1239' },
  { property: 'conflictCount', label: 'Conflict', color: '#ea580c' },
  { property: 'notApplicableCount', label: 'Not applicable', color: '#cbd5e1' },
];

/** A configuration status's `status` (complianceStatus) members. */
export const CONFIGURATION_STATUSES = [
  { state: 'compliant', label: 'Compliant', tone: 'success' },
  { state: 'remediated', label: 'Remediated', tone: 'success' },
  { state: 'nonCompliant', label: 'Not compliant', tone: 'error' },
  { state: 'error', label: 'Error', tone: 'error' },
  { state: 'conflict', label: 'Conflict', tone: 'warning' },
  { state: 'unknown', label: 'Pending', tone: 'info' },
  { state: 'notApplicable', label: 'Not applicable', tone: 'neutral' },
  { state: 'notAssigned', label: 'Not assigned', tone: 'neutral' },
];

/** The software update status summary's counts, for devices and users alike. */
export const UPDATE_COUNTS = [
  { key: 'compliant', label: 'Compliant', color: '#16a34a' },
  { key: 'remediated', label: 'Remediated', color: '#4ade80' },
  { key: 'nonCompliant', label: 'Noncompliant', color: '#dc2626' },
  { key: 'error', label: 'Error', color: '#9f1239' },
  { key: 'conflict', label: 'Conflict', color: '#ea580c' },
  { key: 'unknown', label: 'Unknown', color: '#94a3b8' },
  { key: 'notApplicable', label: 'Not applicable', color: '#cbd5e1' },
];

/** macOS update categories. */
export const UPDATE_CATEGORIES = {
  critical: 'Critical',
  configurationDataFile: 'Configuration data',
  firmware: 'Firmware',
  other: 'Other',
};

/** A label and tone for a macOS update `state`. */
export function updateState(state) {
  if (state === 'success') return { label: 'Installed', tone: 'success' };
  if (/Failed|Insufficient/.test(state)) {
    const words = state.replace(/([A-Z])/g, ' $1').toLowerCase();
    return { label: words.charAt(0).toUpperCase() + words.slice(1), tone: 'error' };
  }
  const labels = {
    downloading: 'Downloading', downloaded: 'Downloaded', installing: 'Installing', idle: 'Idle',
    available: 'Available', scheduled: 'Scheduled',
  };
  return { label: labels[state] || state, tone: 'info' };
}

/** The look of a compliance or run state by its member name. */
export function lookup(list, state) {
  return list.find((item) => item.state === state) || { state, label: state, tone: 'neutral', color: '#94a3b8' };
}
