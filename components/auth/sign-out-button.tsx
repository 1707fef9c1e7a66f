"use client";
import { useTransition } from "react";
import { LogOut } from "lucide-react";
import { signOutAction } from "@/app/(auth)/actions";
import { Button } from "@/components/ui/button";

export function SignOutButton() {
  const [pending, startTransition] = useTransition();
  return (
    <Button variant="secondary" className="w-full" pending={pending} onClick={() => startTransition(() => signOutAction())}>
      <LogOut className="h-4 w-4" aria-hidden /> Sign out
    </Button>
  );
}
