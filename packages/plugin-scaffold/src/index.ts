import { scaffoldPlugin } from './plugin.js'

// Encapsulated on purpose: it shares no decorators, it only reads core's services.
export default scaffoldPlugin
export { scaffoldPlugin }
export { DEFAULTS, type ScaffoldOptions } from './options.js'
export { ScaffoldService, type ScaffoldServiceDependencies, type AgentLookup, type Download } from './service.js'
export { TemplateLibrary, templatesDirectory, type StarterFile, type StarterValues } from './templates.js'
export { LANGUAGES, DEFAULT_LANGUAGE, RUST_SDK_VERSION, isLanguage, type Language } from './languages.js'
export { agentNameOf, starterNameOf } from './naming.js'
export * from './errors.js'
export * from './schemas.js'
