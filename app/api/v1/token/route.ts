import { apiRoute } from "@/lib/api/handler";
import { endpoints } from "@/lib/api/endpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute(endpoints.token);
