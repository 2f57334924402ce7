import type { PlanEnforcement } from '../../config/resolve-options.js';
import type { ViolationType } from './violation.js';

/**
 * What one violation does to its message: nothing (`ignore`, not reported), sent and `report`ed,
 * the unplanned name removed (`omit`, reported), the message dropped (`drop`, reported), or
 * refused at the call (`reject`: a `ValidationError` for the caller to throw).
 */
export type ViolationAction = 'ignore' | 'report' | 'omit' | 'drop' | 'reject';

const OTHER: Readonly<Record<PlanEnforcement['otherViolations'], ViolationAction>> = { report: 'report', drop: 'drop', throw: 'reject' };

/** The enforcement matrix: each violation type × the settings → its action. */
const MATRIX: Readonly<Record<ViolationType, (settings: PlanEnforcement) => ViolationAction>> = {
  'Unplanned-Event': (settings) => ({ allow: 'ignore', report: 'report', drop: 'drop' } as const)[settings.unplannedEvents],
  'Unplanned-Property': (settings) => (settings.unplannedProperties === 'omit' ? 'omit' : 'report'),
  'Required-Missing': (settings) => OTHER[settings.otherViolations],
  'Datatype-Mismatch': (settings) => OTHER[settings.otherViolations],
  'Additional-Properties': (settings) => OTHER[settings.otherViolations],
  'Invalid-Value': (settings) => OTHER[settings.otherViolations],
};

/** The action for one violation type under the given settings. Pure. */
export function decideAction(type: ViolationType, settings: PlanEnforcement): ViolationAction {
  return MATRIX[type](settings);
}

const SEVERITY: Readonly<Record<ViolationAction, number>> = { ignore: 0, report: 1, omit: 2, drop: 3, reject: 4 };

/** The stronger of two actions: what a message with both violations gets. */
export function strongest(a: ViolationAction, b: ViolationAction): ViolationAction {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}
