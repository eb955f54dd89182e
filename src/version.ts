/** This tool's version; a test keeps it equal to package.json's. */
export const TOOL_VERSION = '0.1.0'
export const TOOL_NAME = 'container-security-gate'
export const TOOL_URI = 'https://github.com/container-security-gate/container-security-gate'
