import { Controller, UseFilters, UseGuards, UsePipes, applyDecorators } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminHttpErrorFilter } from './admin-http-error.filter.js';
import { createAdminValidationPipe } from './admin-validation.pipe.js';

/**
 * An HTTP controller of the admin API: bearer authentication and tenant scope (AdminAuthGuard),
 * validated input, JSON errors. Set per controller: a hybrid app's global pipes and filters would also
 * reach the RPC handlers, which answer errors their own way.
 */
export function AdminApiController(path: string): ClassDecorator {
  return applyDecorators(Controller(path), UseGuards(AdminAuthGuard), UsePipes(createAdminValidationPipe()), UseFilters(new AdminHttpErrorFilter()));
}
