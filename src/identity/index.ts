// The identity rules: pure functions (no I/O) that turn what a person typed into
// checked, canonical values, or say why they cannot. Import from here.
export * from './result.js';
export * from './digits.js';
export * from './nationalCode.js';
export * from './foreignNationalId.js';
export * from './mobile.js';
export * from './names.js';
export * from './jalali.js';
export * from './birthCertificate.js';
export * from './password.js';
export * from './securityAnswer.js';
export * from './email.js';
export * from './gender.js';
export * from './insuranceNumber.js';
export * from './identity.messages.js';
