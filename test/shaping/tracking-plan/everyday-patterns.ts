/**
 * Patterns real plans use (email, password rules, IPv4, ZIP, decimals, phone, ISO timestamps): the
 * safe-regexp check must accept each, and each must match in steps linear in the text.
 */
export const EVERYDAY_PATTERNS: readonly string[] = [
  '^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$',
  '^(?=.*[a-z])(?=.*\\d).{8,}$',
  '^(\\d{1,3}\\.){3}\\d{1,3}$',
  '^(\\d{5}|\\d{5}-\\d{4})$',
  '^-?\\d+(\\.\\d+)?$',
  '\\d+',
  '^\\+?[1-9]\\d{1,14}$',
  '^[^@]+@[^@]+$',
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$',
];
