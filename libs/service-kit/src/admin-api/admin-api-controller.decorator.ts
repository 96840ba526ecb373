import { Controller, UseFilters, UseGuards, UsePipes, applyDecorators } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminHttpErrorFilter, createAdminValidationPipe } from './admin-http-error.filter.js';

/**
 * An HTTP controller of the admin API: bot-token authentication and tenant scope (AdminAuthGuard),
 * validated input, JSON errors. Set per controller: a hybrid app's global pipes and filters would also
 * reach the RPC handlers, which answer errors their own way.
 */
export function AdminApiController(path: string): ClassDecorator {
  return applyDecorators(Controller(path), UseGuards(AdminAuthGuard), UsePipes(createAdminValidationPipe()), UseFilters(new AdminHttpErrorFilter()));
}
