// Loaded first in a strict-CSP test frame (as a module from 'self', so the policy allows it): records every
// Content-Security-Policy violation from the frame's very first script on, before any element loads.
const seen: string[] = [];
(window as unknown as { cspViolations: string[] }).cspViolations = seen;
document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`));
