import type { CloudProvider } from './types.js'

/**
 * The regions and instance sizes of each cloud provider, as the upstream Atlas Admin API v2 specification
 * lists them (mongodb/mongodb-atlas-cli `tools/internal/specs/spec.yaml`, x-xgen-sha f84b8e43…; the same
 * revision as spec/atlas-discovery-openapi.json): regions from `AWSCloudProviderSettings`,
 * `AzureCloudProviderSettings` and `CloudGCPProviderSettings`; instance sizes those every cluster resource
 * version accepts for the provider (the hardware specs of 2023-02-01 and 2024-08-05 and the 2023-01-01
 * provider settings list the same). A cluster's `region` and `instanceSize` must be one of its provider's,
 * so that every version of its discovery body validates against the upstream schemas.
 */
export interface ProviderCatalogue {
  readonly regions: readonly string[]
  readonly instanceSizes: readonly string[]
  /** The region of a cluster that names none. */
  readonly defaultRegion: string
}

const AWS_REGIONS = [
  'US_GOV_WEST_1', 'US_GOV_EAST_1', 'US_EAST_1', 'US_EAST_2', 'US_WEST_1', 'US_WEST_2', 'CA_CENTRAL_1', 'EU_NORTH_1',
  'EU_WEST_1', 'EU_WEST_2', 'EU_WEST_3', 'EU_CENTRAL_1', 'EU_CENTRAL_2', 'AP_EAST_1', 'AP_EAST_2', 'AP_NORTHEAST_1',
  'AP_NORTHEAST_2', 'AP_NORTHEAST_3', 'AP_SOUTHEAST_1', 'AP_SOUTHEAST_2', 'AP_SOUTHEAST_3', 'AP_SOUTHEAST_4',
  'AP_SOUTHEAST_5', 'AP_SOUTHEAST_6', 'AP_SOUTHEAST_7', 'AP_SOUTH_1', 'AP_SOUTH_2', 'SA_EAST_1', 'CN_NORTH_1',
  'CN_NORTHWEST_1', 'ME_SOUTH_1', 'ME_CENTRAL_1', 'AF_SOUTH_1', 'EU_SOUTH_1', 'EU_SOUTH_2', 'IL_CENTRAL_1',
  'CA_WEST_1', 'MX_CENTRAL_1', 'GLOBAL',
] as const

const AWS_INSTANCE_SIZES = [
  'M10', 'M20', 'M30', 'M40', 'M50', 'M60', 'M80', 'M100', 'M140', 'M200', 'M300', 'R40', 'R50', 'R60', 'R80',
  'R200', 'R300', 'R400', 'R700', 'M40_NVME', 'M50_NVME', 'M60_NVME', 'M80_NVME', 'M200_NVME', 'M400_NVME',
  'M30_GEN_2', 'M40_GEN_2', 'M50_GEN_2', 'M60_GEN_2', 'M80_GEN_2', 'M140_GEN_2', 'M200_GEN_2', 'M300_GEN_2',
  'R40_GEN_2', 'R50_GEN_2', 'R60_GEN_2', 'R80_GEN_2', 'R200_GEN_2', 'R300_GEN_2', 'R400_GEN_2', 'R700_GEN_2',
  'M40_NVME_GEN_2', 'M50_NVME_GEN_2', 'M60_NVME_GEN_2', 'M80_NVME_GEN_2', 'M200_NVME_GEN_2', 'M400_NVME_GEN_2',
] as const

const AZURE_REGIONS = [
  'US_CENTRAL', 'US_EAST', 'US_EAST_2', 'US_NORTH_CENTRAL', 'US_WEST', 'US_SOUTH_CENTRAL', 'EUROPE_NORTH',
  'EUROPE_WEST', 'US_WEST_CENTRAL', 'US_WEST_2', 'US_WEST_3', 'CANADA_EAST', 'CANADA_CENTRAL', 'BRAZIL_SOUTH',
  'BRAZIL_SOUTHEAST', 'AUSTRALIA_CENTRAL', 'AUSTRALIA_CENTRAL_2', 'AUSTRALIA_EAST', 'AUSTRALIA_SOUTH_EAST',
  'GERMANY_WEST_CENTRAL', 'GERMANY_NORTH', 'SWEDEN_CENTRAL', 'SWEDEN_SOUTH', 'SWITZERLAND_NORTH', 'SWITZERLAND_WEST',
  'UK_SOUTH', 'UK_WEST', 'NORWAY_EAST', 'NORWAY_WEST', 'INDIA_CENTRAL', 'INDIA_SOUTH', 'INDIA_WEST', 'CHINA_EAST',
  'CHINA_NORTH', 'ASIA_EAST', 'JAPAN_EAST', 'JAPAN_WEST', 'ASIA_SOUTH_EAST', 'KOREA_CENTRAL', 'KOREA_SOUTH',
  'FRANCE_CENTRAL', 'FRANCE_SOUTH', 'SOUTH_AFRICA_NORTH', 'SOUTH_AFRICA_WEST', 'UAE_CENTRAL', 'UAE_NORTH',
  'QATAR_CENTRAL', 'POLAND_CENTRAL', 'ISRAEL_CENTRAL', 'ITALY_NORTH', 'SPAIN_CENTRAL', 'MEXICO_CENTRAL',
  'NEW_ZEALAND_NORTH', 'US_GOV_VIRGINIA', 'US_GOV_ARIZONA', 'US_GOV_TEXAS',
] as const

const AZURE_INSTANCE_SIZES = [
  'M10', 'M20', 'M30', 'M40', 'M50', 'M60', 'M80', 'M90', 'M200', 'R40', 'R50', 'R60', 'R80', 'R200', 'R300', 'R400',
  'M60_NVME', 'M80_NVME', 'M200_NVME', 'M300_NVME', 'M400_NVME', 'M600_NVME',
] as const

const GCP_REGIONS = [
  'EASTERN_US', 'EASTERN_US_AW', 'US_EAST_4', 'US_EAST_4_AW', 'US_EAST_5', 'US_EAST_5_AW', 'US_WEST_2',
  'US_WEST_2_AW', 'US_WEST_3', 'US_WEST_3_AW', 'US_WEST_4', 'US_WEST_4_AW', 'US_SOUTH_1', 'US_SOUTH_1_AW',
  'CENTRAL_US', 'CENTRAL_US_AW', 'WESTERN_US', 'WESTERN_US_AW', 'NORTH_AMERICA_NORTHEAST_1',
  'NORTH_AMERICA_NORTHEAST_2', 'NORTH_AMERICA_SOUTH_1', 'SOUTH_AMERICA_EAST_1', 'SOUTH_AMERICA_WEST_1',
  'WESTERN_EUROPE', 'EUROPE_NORTH_1', 'EUROPE_WEST_2', 'EUROPE_WEST_3', 'EUROPE_WEST_4', 'EUROPE_WEST_6',
  'EUROPE_WEST_8', 'EUROPE_WEST_9', 'EUROPE_WEST_10', 'EUROPE_WEST_12', 'EUROPE_SOUTHWEST_1', 'EUROPE_CENTRAL_2',
  'MIDDLE_EAST_CENTRAL_1', 'MIDDLE_EAST_CENTRAL_2', 'MIDDLE_EAST_WEST_1', 'AUSTRALIA_SOUTHEAST_1',
  'AUSTRALIA_SOUTHEAST_2', 'AFRICA_SOUTH_1', 'EASTERN_ASIA_PACIFIC', 'NORTHEASTERN_ASIA_PACIFIC',
  'SOUTHEASTERN_ASIA_PACIFIC', 'ASIA_EAST_2', 'ASIA_NORTHEAST_2', 'ASIA_NORTHEAST_3', 'ASIA_SOUTH_1', 'ASIA_SOUTH_2',
  'ASIA_SOUTHEAST_2',
] as const

const GCP_INSTANCE_SIZES = [
  'M10', 'M20', 'M30', 'M40', 'M50', 'M60', 'M80', 'M140', 'M200', 'M250', 'M300', 'M400', 'R40', 'R50', 'R60',
  'R80', 'R200', 'R300', 'R400', 'R600', 'M30_GEN_2', 'M40_GEN_2', 'M50_GEN_2', 'M60_GEN_2', 'M80_GEN_2',
  'M140_GEN_2', 'M200_GEN_2', 'R40_GEN_2', 'R50_GEN_2', 'R60_GEN_2', 'R80_GEN_2', 'R200_GEN_2', 'R300_GEN_2',
  'R400_GEN_2',
] as const

/** Each provider's regions and instance sizes. */
export const CLOUD_PROVIDER_CATALOGUE: Readonly<Record<CloudProvider, ProviderCatalogue>> = {
  AWS: { regions: AWS_REGIONS, instanceSizes: AWS_INSTANCE_SIZES, defaultRegion: 'US_EAST_1' },
  AZURE: { regions: AZURE_REGIONS, instanceSizes: AZURE_INSTANCE_SIZES, defaultRegion: 'US_EAST_2' },
  GCP: { regions: GCP_REGIONS, instanceSizes: GCP_INSTANCE_SIZES, defaultRegion: 'CENTRAL_US' },
}
