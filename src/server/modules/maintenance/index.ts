// The admin CLI's maintenance work that needs services: doctor and the import of the original's data.
export { formatDoctorReport, runDoctor } from './doctor.js';
export { OriginalCheckoutError, OriginalImportService, readOriginalCheckout } from './original-import.service.js';
